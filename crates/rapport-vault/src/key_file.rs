//! Reading and creating local key files.
//!
//! Decisions, so operators can rely on them:
//!
//! - **Permissions are enforced, not just warned about.** On Unix a key file whose mode grants
//!   anything to group or other (`mode & 0o077 != 0`) is refused with
//!   [`VaultError::InsecureKeyFile`], as `ssh` does with private keys. A mounted secret must be
//!   0600 or 0400 (e.g. Kubernetes `defaultMode: 0400`). Other platforms are not checked.
//! - **Creation is atomic and never overwrites.** The key goes to a temporary file in the same
//!   directory, opened with `create_new` and mode 0600, is flushed to disk, then hard-linked to
//!   the final name (which fails if the name exists) and the temporary name removed. If
//!   another process won the race, its key is loaded instead. A crash leaves either no key
//!   file or a complete one. Missing parent directories are created with mode 0700.
//! - Files are read only up to 4 KiB; content is base64 of 32 bytes, whitespace trimmed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{VaultError, VaultResult};
use crate::local_kek::{KEK_LEN, decode_key, encode_key};
use crate::util::{fill_random, hex};

const MAX_FILE_LEN: u64 = 4096;

/// Loads the key at `path`, checking its permissions.
pub(crate) fn load(path: &Path) -> VaultResult<Zeroizing<[u8; KEK_LEN]>> {
    let file = File::open(path).map_err(|e| VaultError::io(path, e))?;
    let meta = file.metadata().map_err(|e| VaultError::io(path, e))?;
    if !meta.is_file() {
        return Err(VaultError::io(
            path,
            io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"),
        ));
    }
    check_permissions(path, &meta)?;
    let mut text = Zeroizing::new(String::with_capacity(MAX_FILE_LEN as usize));
    file.take(MAX_FILE_LEN)
        .read_to_string(&mut text)
        .map_err(|e| VaultError::io(path, e))?;
    decode_key(&text)
}

/// Loads the key at `path`, creating it first if it does not exist.
pub(crate) fn load_or_create(path: &Path) -> VaultResult<Zeroizing<[u8; KEK_LEN]>> {
    match load(path) {
        Err(VaultError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            create(path)
        }
        other => other,
    }
}

fn create(path: &Path) -> VaultResult<Zeroizing<[u8; KEK_LEN]>> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_dir_private(&dir).map_err(|e| VaultError::io(&dir, e))?;

    let mut key = Zeroizing::new([0u8; KEK_LEN]);
    fill_random(&mut *key)?;
    let mut suffix = [0u8; 8];
    fill_random(&mut suffix)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", hex(&suffix)));

    let written = write_private(&tmp, &encode_key(&key));
    let linked = written.and_then(|()| fs::hard_link(&tmp, path));
    // The temporary name goes in every case; if removal fails, only a 0600 copy remains.
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            sync_dir(&dir);
            Ok(key)
        }
        // Another process created the file first: use its key.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => load(path),
        Err(e) => Err(VaultError::io(path, e)),
    }
}

fn write_private(path: &Path, content: &str) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.sync_all()
}

fn create_dir_private(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Makes the new directory entry durable. Best effort: not every platform can open a
/// directory, and the key itself is already on disk.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(unix)]
fn check_permissions(path: &Path, meta: &fs::Metadata) -> VaultResult<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(VaultError::InsecureKeyFile {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _meta: &fs::Metadata) -> VaultResult<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::kek::KekProvider as _;
    use crate::local_kek::LocalKek;

    use super::*;

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn creates_0600_file_and_reloads_same_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/data/vault.key");
        let created = LocalKek::load_or_create(&path).unwrap();

        let content = fs::read_to_string(&path).unwrap();
        assert!(content.ends_with('\n') && content.trim().len() == 44);
        #[cfg(unix)]
        {
            assert_eq!(mode_of(&path), 0o600);
            assert_eq!(mode_of(path.parent().unwrap()), 0o700);
        }
        // Only the key file is left behind.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);

        let reloaded = LocalKek::load_or_create(&path).unwrap();
        assert_eq!(reloaded.id(), created.id());
        assert_eq!(LocalKek::from_file(&path).unwrap().id(), created.id());
        assert_eq!(LocalKek::from_base64(&content).unwrap().id(), created.id());
        assert_eq!(fs::read_to_string(&path).unwrap(), content);
    }

    #[cfg(unix)]
    #[test]
    fn group_or_world_readable_file_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.key");
        let id = LocalKek::load_or_create(&path).unwrap().id().to_owned();
        let content = fs::read_to_string(&path).unwrap();

        for mode in [0o644, 0o640, 0o604] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = LocalKek::from_file(&path).unwrap_err();
            assert!(
                matches!(err, VaultError::InsecureKeyFile { mode: m, .. } if m == mode),
                "{err:?}"
            );
            let message = err.to_string();
            assert!(message.contains("chmod 600") && message.contains("vault.key"));
            assert!(!message.contains(content.trim()));
            // load_or_create does not silently replace it either.
            assert!(LocalKek::load_or_create(&path).is_err());
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(LocalKek::from_file(&path).unwrap().id(), id);
    }

    #[test]
    fn missing_or_malformed_files_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("absent.key");
        let err = LocalKek::from_file(&missing).unwrap_err();
        assert!(matches!(err, VaultError::Io { ref path, .. } if *path == missing));
        assert!(err.to_string().contains("absent.key"));

        assert!(matches!(
            LocalKek::from_file(dir.path()),
            Err(VaultError::Io { .. })
        ));

        let garbage = dir.path().join("garbage.key");
        write_private(&garbage, "short\n").unwrap();
        assert!(matches!(
            LocalKek::load_or_create(&garbage),
            Err(VaultError::BadFormat { .. })
        ));
        assert_eq!(fs::read_to_string(&garbage).unwrap(), "short\n");
    }

    #[test]
    fn racing_creators_agree() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.key");
        let ids: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| LocalKek::load_or_create(&path).unwrap().id().to_owned()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
