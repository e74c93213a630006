//! Host and URL forms Kibana accepts, as plain functions that say what is wrong.

/// `text` as messages may show it: a user and password in a URL (`https://u:p@host`)
/// become `***`, since messages end up in CI logs.
pub fn shown(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => text.to_owned(),
    }
}

/// An absolute `http` or `https` URL with a host, as config-schema's `schema.uri` wants.
pub fn http_url(text: &str) -> Result<(), String> {
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or("a URL starting with `http://` or `https://` is needed")?;
    authority(rest.split(['/', '?', '#']).next().unwrap_or_default())
}

/// A URL with one of `schemes` (`socks5` for proxies).
pub fn url_with_scheme(text: &str, schemes: &[&str]) -> Result<(), String> {
    let (scheme, rest) = text
        .split_once("://")
        .ok_or("a URL with a scheme (`http://`, ...) is needed")?;
    if !schemes.contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "the scheme must be {}",
            schemes
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    authority(rest.split(['/', '?', '#']).next().unwrap_or_default())
}

/// `host[:port]` of a URL: a host name or address and an optional port 1-65535.
fn authority(authority: &str) -> Result<(), String> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = split_port(host_port)?;
    if host.is_empty() {
        return Err("the URL has no host".into());
    }
    if host.chars().any(|c| {
        c.is_whitespace() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
    }) {
        return Err(format!("`{host}` is not a host name"));
    }
    if let Some(port) = port {
        parse_port(port)?;
    }
    Ok(())
}

fn split_port(host_port: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(rest) = host_port.strip_prefix('[') {
        let (address, after) = rest
            .split_once(']')
            .ok_or("an IPv6 address needs a closing `]`")?;
        return match after.strip_prefix(':') {
            Some(port) => Ok((address, Some(port))),
            None if after.is_empty() => Ok((address, None)),
            None => Err("unexpected text after the IPv6 address".into()),
        };
    }
    Ok(match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    })
}

fn parse_port(port: &str) -> Result<u16, String> {
    match port.parse::<u16>() {
        Ok(n) if n > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(format!("`{port}` is not a port number between 1 and 65535")),
    }
}

/// A Logstash host as Kibana's `validateLogstashHost` accepts it (KIBANA.md §3.5).
pub fn logstash_host(text: &str) -> Result<(), String> {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Err("a Logstash host is `host:port` without `http://` or `https://`".into());
    }
    if text.contains(['/', '?', '#', '@']) || text.contains(char::is_whitespace) {
        return Err("a Logstash host is `host:port`, without a path or user".into());
    }
    let (host, port) = split_port(text)?;
    if host.is_empty() {
        return Err("the host name is missing".into());
    }
    match port {
        // `new URL('http://host:80').host` drops the default port, so Kibana's comparison fails.
        Some(port) if parse_port(port)? == 80 => Err(
            "Kibana rejects port 80 here (its URL check drops the default port); use another port"
                .into(),
        ),
        _ => Ok(()),
    }
}

/// A Kafka broker as Kibana's `validateKafkaHost` accepts it (KIBANA.md §3.6).
pub fn kafka_host(text: &str) -> Result<(), String> {
    let expected = "a Kafka host is `host:port` without a scheme";
    if text.contains("://") || text.matches(':').count() != 1 {
        return Err(expected.into());
    }
    let (host, port) = text.split_once(':').ok_or(expected)?;
    if host.is_empty() {
        return Err(expected.into());
    }
    parse_port(port).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_urls_are_not_shown() {
        assert_eq!(
            shown("https://elastic:changeme@es:9200/x"),
            "https://***@es:9200/x"
        );
        assert_eq!(shown("https://es:9200/a@b"), "https://es:9200/a@b");
        assert_eq!(shown("logstash:5044"), "logstash:5044");
    }

    #[test]
    fn http_urls() {
        for good in [
            "https://es.example.com:9200",
            "http://localhost:9200/prefix",
            "https://[::1]:443",
            "HTTPS://ES:443",
        ] {
            assert_eq!(http_url(good), Ok(()), "{good}");
        }
        for bad in [
            "es.example.com:9200",
            "ftp://x",
            "https://",
            "https://a:0",
            "https://a:99999",
            "https://a b",
        ] {
            assert!(http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn logstash_hosts() {
        for good in ["logstash:5044", "10.0.0.1:5044", "logstash"] {
            assert_eq!(logstash_host(good), Ok(()), "{good}");
        }
        for bad in [
            "https://logstash:5044",
            "logstash:80",
            "logstash:5044/x",
            ":5044",
            "logstash:port",
        ] {
            assert!(logstash_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kafka_hosts() {
        assert_eq!(kafka_host("kafka:9092"), Ok(()));
        for bad in [
            "kafka",
            "kafka:0",
            "kafka:70000",
            "tcp://kafka:9092",
            ":9092",
            "a:b:9092",
        ] {
            assert!(kafka_host(bad).is_err(), "{bad}");
        }
    }
}
