//! `mfgcheck serve` started for one test on 127.0.0.1:0, stopped when dropped.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};

pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`, without the final slash.
    pub url: String,
}

impl Server {
    /// Serves with the test allowlist, run in the fixtures directory; `extra` options.
    pub fn start(extra: &[&str]) -> Self {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mfgcheck"))
            .current_dir(super::fixture("."))
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--allowlist",
                "allowlist.yaml",
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().trim_end_matches('/').to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
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

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
