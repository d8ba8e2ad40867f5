//! A real IMAP server on loopback, one per test: Dovecot (Debian `dovecot-imapd`, installed by
//! scripts/test) with a private configuration in a temp dir, passwd-file users and Maildir
//! storage, IMAP on a free port of 127.0.0.1 (plain, with STARTTLS offered) and IMAPS on
//! another. Its certificate is issued for `localhost` and 127.0.0.1 by a throwaway CA made with
//! `openssl` for the test ([`Dovecot::ca_pem`]). It offers IDLE, CONDSTORE, QRESYNC
//! and UIDPLUS, as a real mail host does.
//!
//! Cleanup: Dovecot runs under a small shell that holds the test's stdin pipe; when the pipe
//! closes (the [`Dovecot`] is dropped, or the test binary dies, even by SIGKILL) the shell stops
//! Dovecot, so no server outlives its test. Mail is put in with IMAP `APPEND`, as a delivery
//! agent's copy would land.

use async_imap::Client;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// How long Dovecot may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// What to tell a developer whose machine lacks Dovecot.
const INSTALL_HINT: &str =
    "the IMAP tests need Dovecot: run scripts/test once, or `apt-get install dovecot-imapd`";

/// A running Dovecot on `127.0.0.1:port`.
pub struct Dovecot {
    child: Child,
    port: u16,
    tls_port: u16,
    dir: tempfile::TempDir,
}

/// Makes a CA and a server certificate for `localhost`/127.0.0.1 in `dir` (`ca.pem`,
/// `server.pem`, `server.key`).
fn make_certs(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let ok = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "openssl {args:?} failed (is openssl installed?)");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Rapport test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("server.ext");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Dovecot {
    /// Starts Dovecot on a free port and waits until it accepts connections.
    pub async fn start() -> Dovecot {
        Dovecot::start_with(None).await
    }

    /// Starts Dovecot that also takes OAuth 2.0 access tokens (SASL `XOAUTH2` and
    /// `OAUTHBEARER`), checking each against `userinfo_url` as its `oauth2` passdb does with
    /// Google's user-info endpoint (`Authorization: Bearer`, the answer's `email` must be the
    /// user logging in). Passwords keep working.
    pub async fn start_with_oauth2(userinfo_url: &str) -> Dovecot {
        Dovecot::start_with(Some(userinfo_url)).await
    }

    async fn start_with(oauth2: Option<&str>) -> Dovecot {
        let dovecot = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| panic!("{INSTALL_HINT}"));
        let dir = tempfile::Builder::new()
            .prefix("rapport-dovecot-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path();
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(root.join(sub)).expect("dovecot dirs");
        }
        std::fs::write(root.join("users"), "").expect("users file");
        // Mail is read and written as the `dovecot` user when running as root (Dovecot refuses
        // uid 0 for mail); as another user, as that user.
        let (uid, gid) = if is_root() {
            chmod_open(root);
            chown_dovecot(&root.join("mail"));
            ("dovecot".to_owned(), "dovecot".to_owned())
        } else {
            (whoami("-u"), whoami("-g"))
        };
        make_certs(root);
        let port = free_port();
        let tls_port = free_port();
        let path = |p: &str| root.join(p).display().to_string();
        let dh = if std::path::Path::new("/usr/share/dovecot/dh.pem").exists() {
            "ssl_dh = </usr/share/dovecot/dh.pem\n"
        } else {
            ""
        };
        let (mechanisms, oauth2_passdb) = match oauth2 {
            Some(url) => {
                let args = root.join("oauth2.conf.ext");
                std::fs::write(
                    &args,
                    format!(
                        "introspection_mode = auth\nintrospection_url = {url}\n\
                         username_attribute = email\nforce_introspection = yes\n"
                    ),
                )
                .expect("oauth2.conf.ext");
                (
                    "plain login xoauth2 oauthbearer",
                    format!(
                        "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  \
                         args = {}\n}}\n",
                        args.display()
                    ),
                )
            }
            None => ("plain login", String::new()),
        };
        let conf = format!(
            "base_dir = {run}\nstate_dir = {state}\ninstance_name = rapport-test-{port}\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n{dh}\
             disable_plaintext_auth = no\nauth_failure_delay = 0\n\
             auth_mechanisms = {mechanisms}\nlog_path = {log}\nmail_location = maildir:{mail}/%u\n\
             first_valid_uid = 1\nfirst_valid_gid = 1\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {users}\n}}\n{oauth2_passdb}\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={mail}/%u\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n",
            run = path("run"),
            state = path("state"),
            log = path("dovecot.log"),
            mail = path("mail"),
            users = path("users"),
            cert = path("server.pem"),
            key = path("server.key"),
        );
        std::fs::write(root.join("dovecot.conf"), conf).expect("dovecot.conf");
        let script = format!(
            "{dovecot} -F -c {conf} & pid=$!; cat >/dev/null; kill $pid; wait $pid",
            conf = path("dovecot.conf")
        );
        let child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start dovecot: {e} ({INSTALL_HINT})"));
        let started = Instant::now();
        loop {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)).await {
                use tokio::io::AsyncReadExt;
                let mut greeting = [0u8; 64];
                if let Ok(n) = s.read(&mut greeting).await
                    && greeting[..n].starts_with(b"* OK")
                {
                    break;
                }
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "dovecot did not listen on {port}: {}",
                std::fs::read_to_string(root.join("dovecot.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Dovecot {
            child,
            port,
            tls_port,
            dir,
        }
    }

    /// Host: always `127.0.0.1`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// Port (plain IMAP).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Port of IMAPS (TLS from the first byte).
    pub fn tls_port(&self) -> u16 {
        self.tls_port
    }

    /// The CA that issued the server's certificate (PEM), to trust in tests.
    pub fn ca_pem(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("ca.pem")).expect("ca.pem")
    }

    /// Adds a user (Dovecot rereads the file on change).
    pub fn add_user(&self, name: &str, password: &str) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(self.users())
            .expect("users file");
        writeln!(f, "{name}:{{PLAIN}}{password}").expect("add user");
    }

    fn users(&self) -> PathBuf {
        self.dir.path().join("users")
    }

    /// A logged-in IMAP session as `user`.
    pub async fn session(&self, user: &str, password: &str) -> async_imap::Session<TcpStream> {
        let stream = TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connect to dovecot");
        let mut client = Client::new(stream);
        client
            .read_response()
            .await
            .expect("greeting")
            .expect("greeting");
        client
            .login(user, password)
            .await
            .map_err(|(e, _)| e)
            .expect("login")
    }

    /// Puts `raw` into `folder` of `user` (creating the folder), as delivered mail.
    pub async fn deliver(&self, user: &str, password: &str, folder: &str, raw: &[u8]) {
        let mut s = self.session(user, password).await;
        if folder != "INBOX" {
            let _ = s.create(folder).await;
        }
        s.append(folder, None, None, raw).await.expect("append");
        let _ = s.logout().await;
    }

    /// Puts `raw` in `folder` as if it had arrived at `internal_date` (IMAP date-time, e.g.
    /// `"01-Jan-2020 10:00:00 +0000"`), for backfill windows.
    pub async fn deliver_dated(
        &self,
        user: &str,
        password: &str,
        folder: &str,
        raw: &[u8],
        internal_date: &str,
    ) {
        let mut session = self.session(user, password).await;
        session
            // async-imap puts the date in the command as given: IMAP wants it quoted.
            .append(folder, None, Some(&format!("\"{internal_date}\"")), raw)
            .await
            .expect("append dated");
        let _ = session.logout().await;
    }

    /// Puts every message of `raws` into `folder` of `user`, in order, over one session (a
    /// backlog of thousands arrives in seconds).
    pub async fn deliver_many(&self, user: &str, password: &str, folder: &str, raws: &[Vec<u8>]) {
        let mut s = self.session(user, password).await;
        if folder != "INBOX" {
            let _ = s.create(folder).await;
        }
        for raw in raws {
            s.append(folder, None, None, raw).await.expect("append");
        }
        let _ = s.logout().await;
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // Closing the shell's stdin makes it stop Dovecot (see the module doc); wait for that,
        // briefly, so the temp dir is deleted after Dovecot's last write to it.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn is_root() -> bool {
    whoami("-u") == "0"
}

fn whoami(flag: &str) -> String {
    std::process::Command::new("id")
        .arg(flag)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn chmod_open(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

fn chown_dovecot(path: &std::path::Path) {
    let _ = std::process::Command::new("chown")
        .args(["dovecot:dovecot", &path.display().to_string()])
        .status();
}
