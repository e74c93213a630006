#!/usr/bin/env python3
"""Writes a fleetc repository with COUNT declarations spread over FILES files, for benchmarks.

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


def main():
    root, count, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(os.path.join(root, "outputs"), exist_ok=True)
    with open(os.path.join(root, "fleetc.toml"), "w") as f:
        f.write('stack_version = "9.1.0"\n')
    with open(os.path.join(root, "proxies.yaml"), "w") as f:
        f.write('proxies:\n  - id: proxy-0\n    name: Proxy\n    url: http://proxy.example.com:3128\n')
    per_file = count // files
    for n in range(files):
        lines = ["outputs:"]
        for i in range(n * per_file, (n + 1) * per_file):
            lines += output(i)
        with open(os.path.join(root, "outputs", f"part-{n:03d}.yaml"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
