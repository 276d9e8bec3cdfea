//! `mfgcheck serve` started for one test on 127.0.0.1:0, stopped when dropped.

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;
use std::process::{Child, Stdio};

pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`, without the final slash.
    pub url: String,
}

impl Server {
    /// Serves with the test allowlist, run in the fixtures directory; `extra` options.
    pub fn start(extra: &[&str]) -> Self {
        Self::start_with(&[&["--allowlist", "allowlist.yaml"], extra].concat())
    }

    /// Serves with exactly the options `args` (besides the address), in the fixtures
    /// directory.
    pub fn start_with(args: &[&str]) -> Self {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mfgcheck"))
            .current_dir(super::fixture("."))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // Printed without a final slash, so that "$URL/api/check" works in a script.
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        assert!(!url.ends_with('/'), "{url}");
        Self { child, url }
    }

    /// Stops the server as a service manager does (SIGTERM); returns whether it exited
    /// cleanly, and its log.
    #[cfg(unix)]
    pub fn terminate(mut self) -> (bool, String) {
        let pid = self.child.id().to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        (exit.success(), err)
    }
}

/// Requests with a real HTTP client; statuses are returned, not errors.
impl Server {
    pub fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .build()
            .into()
    }

    pub fn get(&self, path: &str) -> (u16, Vec<(String, String)>, String) {
        let mut r = Self::agent()
            .get(format!("{}{path}", self.url))
            .call()
            .unwrap();
        let headers = r
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        (
            r.status().as_u16(),
            headers,
            r.body_mut().read_to_string().unwrap(),
        )
    }

    pub fn post(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        origin: Option<&str>,
    ) -> (u16, Value) {
        let mut request = Self::agent()
            .post(format!("{}{path}", self.url))
            .header("content-type", content_type);
        if let Some(o) = origin {
            request = request.header("origin", o);
        }
        let mut r = request.send(&body[..]).unwrap();
        let status = r.status().as_u16();
        let text = r.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
        )
    }

    /// A multipart form: (name, file name, bytes) per part.
    pub fn form(&self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> (u16, Value) {
        let (content_type, body) = multipart(parts);
        self.post(path, &content_type, body, None)
    }
}

/// A `multipart/form-data` body: (name, file name, bytes) per part; with its type.
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "mfgcheck-test-boundary-7d2f";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{boundary}\r\n").bytes());
        match file {
            Some(f) => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").bytes(),
            ),
            None => body.extend(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
