//! A Python program that a test talks to over loopback, one process per test.
//!
//! [`PythonPeer::start`] picks a free port on 127.0.0.1, runs `python3 -m MODULE ARGS…` in a
//! private temp dir (the child's stdout and stderr go to a log file there), and returns once the
//! child has logged that it listens on that port *and* the port accepts TCP connections. Waiting
//! for the child's own log line (not just an open port) means a port that another process grabbed
//! in the meantime is never mistaken for ours; when the child reports "address already in use",
//! it is retried on a new port.
//!
//! Cleanup: dropping the peer kills the child (`kill_on_drop`) and then deletes the temp dir. The
//! child also exits on its own when the test binary dies (even by SIGKILL): a small bootstrap
//! watches the child's stdin, a pipe only the test process holds, and exits at end of file.
//!
//! `python3` is looked up on `PATH` (then started by the path of the interpreter it runs) and the
//! module is run with `-m`, so it does not matter where pip put console scripts. `scripts/test` installs the pinned packages when missing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// How long a peer may take to listen before the test fails. Measured on an idle machine:
/// about 0.1 s for the SMTP sink and 0.3–0.4 s for the OIDC provider.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a waiting loop looks again at the log, the port or the maildir.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(10);

/// How often a start is retried after "address already in use".
const ATTEMPTS: u32 = 5;

/// What to tell a developer whose machine lacks the Python packages.
pub(crate) const INSTALL_HINT: &str = "the test peers need Python 3 with aiosmtpd and \
     oidc-provider-mock: run scripts/test once, or `python3 -m pip install aiosmtpd==1.4.6 \
     oidc-provider-mock==0.3.4 Authlib==1.9.10`";

/// Runs the module named by `sys.argv[1]` as `__main__` with the remaining arguments, after
/// starting a thread that exits the process when stdin reaches end of file.
const BOOTSTRAP: &str = r#"import os, runpy, sys, threading
def _exit_when_parent_dies():
    while os.read(0, 4096):
        pass
    os._exit(0)
threading.Thread(target=_exit_when_parent_dies, daemon=True).start()
sys.argv = sys.argv[1:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"#;

/// A running `python3 -m MODULE` child that listens on `127.0.0.1:port`.
pub struct PythonPeer {
    // Field order is drop order: kill the child before deleting its directory.
    child: Child,
    port: u16,
    log_path: PathBuf,
    module: String,
    dir: tempfile::TempDir,
}

impl PythonPeer {
    /// Starts `python3 -m module` with `args(port, dir)` (where `dir` is the peer's private
    /// temp dir) and waits until its log contains `ready(port)` and the port accepts
    /// connections. Panics with the child's output when it exits early or takes longer than
    /// [`START_TIMEOUT`].
    pub async fn start(
        module: &str,
        args: impl Fn(u16, &Path) -> Vec<String>,
        ready: impl Fn(u16) -> String,
    ) -> PythonPeer {
        let mut dir = tempfile::Builder::new()
            .prefix("rapport-peer-")
            .tempdir()
            .expect("create a temp dir for the peer");
        for attempt in 1..=ATTEMPTS {
            let port = free_port();
            let log_path = dir.path().join(format!("{module}.{attempt}.log"));
            let log = std::fs::File::create(&log_path).expect("create the peer's log file");
            let child = Command::new(python())
                .arg("-c")
                .arg(BOOTSTRAP)
                .arg(module)
                .args(args(port, dir.path()))
                .env("PYTHONUNBUFFERED", "1")
                .env("NO_COLOR", "1")
                .current_dir(dir.path())
                .stdin(Stdio::piped())
                .stdout(Stdio::from(log.try_clone().expect("clone log file handle")))
                .stderr(Stdio::from(log))
                .kill_on_drop(true)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {} ({e}); {INSTALL_HINT}", python()));
            let mut peer = PythonPeer {
                child,
                port,
                log_path,
                module: module.to_owned(),
                dir,
            };
            match peer.wait_ready(&ready(port)).await {
                Ok(()) => return peer,
                Err(log) if log.contains("ddress already in use") && attempt < ATTEMPTS => {
                    dir = peer.into_dir();
                }
                Err(log) => panic!(
                    "`python3 -m {module}` exited before listening on 127.0.0.1:{port}{}\n\
                     --- its output ---\n{log}",
                    if log.contains("No module named") {
                        format!("; {INSTALL_HINT}")
                    } else {
                        String::new()
                    }
                ),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// Waits for the ready line and an accepting port; `Err(log)` when the child exited first.
    async fn wait_ready(&mut self, marker: &str) -> Result<(), String> {
        let started = Instant::now();
        loop {
            let status = self.child.try_wait().expect("poll the peer process");
            if status.is_some() {
                return Err(self.log());
            }
            if self.log().contains(marker)
                && tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                    .await
                    .is_ok()
            {
                return Ok(());
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "`python3 -m {}` did not listen on 127.0.0.1:{} within {START_TIMEOUT:?}\n\
                 --- its output ---\n{}",
                self.module,
                self.port,
                self.log()
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Kills the child and hands back its temp dir for the next attempt.
    fn into_dir(self) -> tempfile::TempDir {
        let PythonPeer { child, dir, .. } = self;
        drop(child);
        dir
    }

    /// The port the child listens on (host is always `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The peer's private temp dir (deleted on drop).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Everything the child printed so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

/// The interpreter that `python3` on `PATH` runs, asked once per test binary. Starting it by
/// its real path skips launcher shims such as pyenv's (about 0.1 s per peer).
fn python() -> &'static str {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON.get_or_init(|| {
        std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|path| path.trim().to_owned())
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| "python3".to_owned())
    })
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0 to find a free port")
        .port()
}
