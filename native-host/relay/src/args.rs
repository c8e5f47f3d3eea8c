//! The relay's command line: `--node PATH --bundle PATH [--] <what the browser passes>`. The
//! browser passes the caller's origin (`chrome-extension://<32 a-p>/`) and, on some platforms,
//! more; only the origin is kept, and whether it is served is the daemon's decision.

use std::path::PathBuf;

#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub node: PathBuf,
    pub bundle: PathBuf,
    pub origin: Option<String>,
}

pub fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut node, mut bundle, mut origin) = (None, None, None);
    while let Some(a) = argv.next() {
        match a.as_str() {
            "--node" => node = argv.next().map(PathBuf::from),
            "--bundle" => bundle = argv.next().map(PathBuf::from),
            "--" => {}
            other if origin.is_none() && is_origin(other) => origin = Some(other.to_string()),
            _ => {}
        }
    }
    Ok(Args {
        node: node.ok_or("--node PATH is required (the launcher passes it)")?,
        bundle: bundle.ok_or("--bundle PATH is required (the launcher passes it)")?,
        origin,
    })
}

/// `chrome-extension://` + 32 letters a–p + optional `/`, the only shape Chrome passes.
pub fn is_origin(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("chrome-extension://") else {
        return false;
    };
    let id = rest.strip_suffix('/').unwrap_or(rest);
    id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Result<Args, String> {
        parse(v.iter().map(|s| s.to_string()))
    }

    #[test]
    fn keeps_the_origin_and_ignores_other_browser_arguments() {
        let a = args(&[
            "--node",
            "/n",
            "--bundle",
            "/b.mjs",
            "--",
            "--parent-window=12",
            "chrome-extension://dhfeooidhioanjlgbjidjenhcdannohi/",
            "--future",
        ])
        .expect("valid");
        assert_eq!(
            a.origin.as_deref(),
            Some("chrome-extension://dhfeooidhioanjlgbjidjenhcdannohi/")
        );
        assert_eq!(a.node, PathBuf::from("/n"));
        assert_eq!(a.bundle, PathBuf::from("/b.mjs"));
    }

    #[test]
    fn no_origin_is_passed_on_as_none_for_the_daemon_to_refuse() {
        let a = args(&[
            "--node",
            "/n",
            "--bundle",
            "/b",
            "chrome-extension://short/",
        ])
        .expect("valid");
        assert_eq!(a.origin, None);
    }

    #[test]
    fn node_and_bundle_are_required() {
        assert!(args(&["--bundle", "/b"]).is_err());
        assert!(args(&["--node", "/n"]).is_err());
    }

    #[test]
    fn origin_shape() {
        assert!(is_origin(
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ));
        assert!(!is_origin(
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaq/"
        ));
        assert!(!is_origin("https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"));
    }
}
