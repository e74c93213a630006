#!/usr/bin/env python3
"""Writes a fleetc repository with COUNT declarations spread over FILES files, for benchmarks.

Two fifths are outputs of every type (with proxy references), two fifths agent policies
with two package policies each (map and list form), one fifth packages.

usage: generate-repository.py DIR COUNT FILES
"""
import os
import sys


def output(i):
    kind = ("elasticsearch", "logstash", "kafka", "remote_elasticsearch")[i % 4]
    lines = [f"  - id: output-{i:05d}", f"    name: Output {i}", f"    type: {kind}"]
    if kind in ("elasticsearch", "remote_elasticsearch"):
        lines.append(f'    hosts: ["https://es-{i}.example.com:9200"]')
        lines.append("    preset: balanced")
    elif kind == "logstash":
        lines.append(f'    hosts: ["logstash-{i}.example.com:5044"]')
    else:
        lines += [f'    hosts: ["kafka-{i}.example.com:9092"]', "    auth_type: none",
                  "    connection_type: plaintext", f"    topic: topic-{i}"]
    if kind == "remote_elasticsearch":
        lines.append("    service_token: { env: REMOTE_TOKEN }")
    lines.append("    proxy_id: proxy-0")
    return lines


def policy(i):
    return [
        f"  - id: policy-{i:05d}",
        f"    name: Policy {i}",
        "    namespace: prod",
        "    package_policies:",
        f"      - id: system-{i:05d}",
        f"        name: system-{i}",
        "        package: { name: system }",
        "        inputs:",
        "          system-system/metrics:",
        "            streams:",
        "              system.cpu: { vars: { period: 10s } }",
        f"      - id: agent-{i:05d}",
        f"        name: agent-{i}",
        "        package: { name: elastic_agent }",
    ]


def package(i):
    return [f"  - name: package-{i:05d}", "    version: 1.2.3"]


def main():
    root, count, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(os.path.join(root, "declarations"), exist_ok=True)
    with open(os.path.join(root, "fleetc.toml"), "w") as f:
        f.write('stack_version = "9.1.0"\n')
    with open(os.path.join(root, "proxies.yaml"), "w") as f:
        f.write('proxies:\n  - id: proxy-0\n    name: Proxy\n    url: http://proxy.example.com:3128\n')
    outputs, policies = count * 2 // 5, count * 2 // 5
    packages = count - outputs - policies
    kinds = [("outputs", outputs, output), ("agent_policies", policies, policy),
             ("packages", packages, package)]
    per_kind_files = max(files // 3, 1)
    for list_name, total, make in kinds:
        per_file = -(-total // per_kind_files)  # rounded up, so every item is written
        for n in range(per_kind_files):
            lines = [f"{list_name}:"]
            for i in range(n * per_file, min((n + 1) * per_file, total)):
                lines += make(i)
            name = os.path.join(root, "declarations", f"{list_name}-{n:03d}.yaml")
            with open(name, "w") as f:
                f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
