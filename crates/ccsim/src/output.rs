//! Writing outputs all or nothing, and only where asked.
//!
//! - **One file** ([`write_file`]): the contents go into a temporary file created
//!   exclusively (`O_CREAT | O_EXCL`, a random name `.ccsim-XXXXXX.tmp`, by the `tempfile`
//!   crate) in the target's own folder, which is then renamed over the target. A reader
//!   sees the old file or the new one, never a part. The exclusive creation never follows
//!   a symbolic link, so a link pre-placed where a temporary file would go cannot make
//!   ccsim write outside the folder; and a target that is itself a link is replaced by
//!   the rename (the link goes, the file it pointed to is untouched).
//! - **A set of files in a folder** ([`FileSet`], for `run --out`, `merge --out` and
//!   `staff --out`): the writer takes an exclusive lock on the folder (`flock` on the
//!   folder itself, released by the system if the process dies), writes every file into
//!   a fresh temporary folder inside it (`.ccsim-out-XXXXXX`, mode 0700, created
//!   exclusively), then swaps the set in: it removes the set's *manifest* (its last file,
//!   `summary.json` or `staffing.json`), renames every other file into place and renames
//!   the manifest last. So writers never interleave (two runs into one folder end with
//!   the complete set of one of them), the manifest is present exactly when the files
//!   beside it are one complete set, and a reader that takes a shared lock on the folder
//!   (`flock -s DIR …`) never sees a mixed set. A target that is a folder is refused
//!   before anything is replaced.
//! - **A device, a pipe or the process's own stream** (`/dev/null`, a FIFO,
//!   `/dev/stdout`, `/dev/fd/N`): written in place, as the shell's `>` would, never
//!   replaced by a file ([`writes_in_place`]). There is nothing to swap; a pipe with no
//!   reader is an error, not a wait, and a write never waits past a Ctrl-C ([`InPlace`]).
//! - **Several outputs of one command** ([`Batch`]): each is written to its temporary
//!   first and all are put in place at the end, so an error or a Ctrl-C on the way leaves
//!   every target as it was. (A call log into a device or pipe is streamed during the
//!   run instead, before the batch: it has no size limit.)
//! - **Cleaning up**: an error, or a Ctrl-C asked for before the swap, removes the
//!   temporary file or folder (and a folder ccsim created for nothing); a second Ctrl-C,
//!   which exits at once, removes them first ([`remove_temporaries`]). Only a kill that
//!   gives ccsim no chance (SIGKILL) can leave a `.ccsim-…` temporary behind, and then
//!   never in place of an output; killed during a swap, the folder is left without its
//!   manifest, which says the set there is incomplete.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;

/// Temporary files and folders being written, removed by [`remove_temporaries`] when a
/// second Ctrl-C exits at once.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Keeps a temporary path in [`TEMPORARIES`] while it lives.
struct Registered(PathBuf);

impl Registered {
    fn new(path: &Path) -> Self {
        if let Ok(mut list) = TEMPORARIES.lock() {
            list.push(path.to_owned());
        }
        Registered(path.to_owned())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut list) = TEMPORARIES.lock()
            && let Some(k) = list.iter().position(|p| *p == self.0)
        {
            list.swap_remove(k);
        }
    }
}

/// Removes every temporary file or folder being written (for an exit that skips the
/// usual clean-up: the second Ctrl-C).
pub fn remove_temporaries() {
    let Ok(list) = TEMPORARIES.lock() else {
        return;
    };
    for path in list.iter() {
        if path.is_dir() {
            let _ = std::fs::remove_dir_all(path);
        } else {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The folder a path is in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A temporary file in `folder`, created exclusively, readable as an ordinary new file
/// would be (0666 less the umask) once renamed into place.
fn exclusive_temp_file(folder: &Path, prefix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(folder)
}

/// Whether `path` is written in place rather than replaced: it exists and is neither a
/// regular file nor a folder (a device such as `/dev/null`, a FIFO, a socket), through
/// links or not; or it is one of the process's own open files (`/dev/stdout`,
/// `/dev/fd/N`, `/proc/self/fd/N`: a link into `/proc`, or a name in a folder of
/// `/proc`), whatever it is open on. Replacing such a name would replace the device or
/// the link itself (as root, `/dev/null` with a plain file).
pub fn writes_in_place(path: &Path) -> bool {
    if own_stream(path).is_some() {
        return true;
    }
    let Ok(own) = std::fs::symlink_metadata(path) else {
        return false;
    };
    let in_proc = |p: &Path| p.starts_with("/proc");
    if own.file_type().is_symlink() {
        let into_proc = std::fs::read_link(path).is_ok_and(|target| in_proc(&target));
        let from_proc = folder_of(path).canonicalize().is_ok_and(|f| in_proc(&f));
        return into_proc || from_proc || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
    }
    !own.is_file() && !own.is_dir()
}

/// The descriptor `path` names among the process's own open files: `/dev/stdout` 1,
/// `/dev/stderr` 2, `/dev/fd/N` and `/proc/self/fd/N` N.
fn own_stream(path: &Path) -> Option<i32> {
    let name = path.to_str()?;
    match name {
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        _ => name
            .strip_prefix("/dev/fd/")
            .or_else(|| name.strip_prefix("/proc/self/fd/"))?
            .parse()
            .ok(),
    }
}

/// Opens `path` (see [`writes_in_place`]) to write into it as it is. One of the
/// process's own streams is written through that very descriptor (a copy of it: the
/// same offset, nothing truncated, so the output lands after what was printed there
/// and before what follows). A FIFO is opened without waiting: with no reader it is an
/// error (`ENXIO`), not a hang.
fn open_in_place(path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    if let Some(fd) = own_stream(path) {
        use std::os::fd::FromRawFd;
        // SAFETY: `dup` returns a new descriptor (or -1), owned by the `File` alone.
        let copy = unsafe { libc::dup(fd) };
        if copy < 0 {
            return Err(std::io::Error::last_os_error());
        }
        return Ok(unsafe { File::from_raw_fd(copy) });
    }
    let mut options = File::options();
    options.write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ENXIO) {
            return std::io::Error::other("a pipe with no reader: start what reads it first");
        }
        e
    })?;
    // Left non-blocking (this open file description is ccsim's own): a write the target
    // cannot take now fails with `WouldBlock`, and [`InPlace`] waits for it.
    Ok(file)
}

/// The target written in place that has taken bytes of this run, if one has: a stop
/// cannot take them back (see [`InPlace`]).
static STREAMED: Mutex<Option<String>> = Mutex::new(None);

/// The device, pipe or stream that already holds part of this run's output, if any: a
/// Ctrl-C then says so instead of "stopped before writing any output".
pub fn streamed_into() -> Option<String> {
    STREAMED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// A target written in place ([`open_in_place`]) whose writes never block beyond a
/// Ctrl-C: each waits (`poll`, a tenth of a second at a time) until the target takes
/// bytes, then writes at most one pipe buffer's worth (4 KiB, which a pipe that is
/// ready takes without blocking; a target opened by its path is non-blocking besides,
/// so one whose room another writer took waits again). A reader that stops reading
/// therefore cannot hold the run past one Ctrl-C. (One of the process's own streams is
/// written through a copy of its descriptor, which cannot be made non-blocking without
/// changing it for the processes that share it.)
pub(crate) struct InPlace {
    file: File,
    name: String,
    /// Whether [`STREAMED`] names it yet (set at its first byte, looked up once).
    streamed: bool,
}

impl InPlace {
    /// Opens `path` ([`open_in_place`]).
    pub(crate) fn open(path: &Path) -> std::io::Result<InPlace> {
        Ok(InPlace {
            file: open_in_place(path)?,
            name: path.display().to_string(),
            streamed: false,
        })
    }
}

impl Write for InPlace {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        loop {
            #[cfg(unix)]
            loop {
                use std::os::fd::AsRawFd;
                let mut ready = libc::pollfd {
                    fd: self.file.as_raw_fd(),
                    events: libc::POLLOUT,
                    revents: 0,
                };
                // SAFETY: one valid pollfd for the duration of the call.
                let n = unsafe { libc::poll(&mut ready, 1, 100) };
                if n < 0 {
                    let e = std::io::Error::last_os_error();
                    if e.kind() != std::io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
                if n > 0 {
                    break;
                }
                if crate::interrupt::requested() {
                    return Err(std::io::Error::other("interrupted (Ctrl-C)"));
                }
            }
            // A target opened by its path is non-blocking: if another writer took the
            // room `poll` saw, the write says so and the wait starts again.
            match self.file.write(&buf[..buf.len().min(4096)]) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => return Err(e),
                Ok(written) => {
                    if written > 0 && !self.streamed {
                        self.streamed = true;
                        STREAMED
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .get_or_insert_with(|| self.name.clone());
                    }
                    return Ok(written);
                }
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes `contents` to `path` atomically: through an exclusive temporary file in the
/// same folder, renamed over `path`. On any error, or a Ctrl-C before the rename, the
/// temporary file is removed and `path` is left as it was. A device or pipe is written
/// in place ([`writes_in_place`]).
pub fn write_file(path: &Path, contents: &str) -> Result<(), Error> {
    write_file_with(path, |w| w.write_all(contents.as_bytes()))
}

/// [`write_file`] with the contents streamed by `write` (a workbook is never held in
/// memory whole).
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&mut File>) -> std::io::Result<()>,
) -> Result<(), Error> {
    let mut batch = Batch::default();
    batch.file_with(path, write)?;
    batch.commit()
}

/// A file written to its temporary, to be put in place by [`Batch::commit`].
struct Staged {
    temp: tempfile::NamedTempFile,
    _registered: Registered,
    target: PathBuf,
    /// Copied into `target` (a device or pipe) instead of renamed over it.
    in_place: bool,
}

/// Outputs of one command, written all or nothing: each file goes to an exclusive
/// temporary (in the target's folder, or the system's temporary folder for a target
/// written in place) and each set to its temporary folder ([`FileSet`]); [`Batch::commit`]
/// then puts them all in place, after a last check for Ctrl-C. Dropped without a commit,
/// it removes every temporary and leaves every target as it was.
#[derive(Default)]
pub struct Batch {
    files: Vec<Staged>,
    sets: Vec<FileSet>,
}

impl Batch {
    /// Writes the file `path` will hold through `write` (streamed), to be put in place
    /// by [`Batch::commit`].
    pub fn file_with(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut std::io::BufWriter<&mut File>) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        crate::interrupt::check()?;
        let name = path.display().to_string();
        let mut temp = self.temp_for(path).map_err(|e| Error::io(&name, e))?;
        let registered = Registered::new(temp.path());
        let mut out = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(|e| Error::io(&name, e))?;
        drop(out);
        self.staged(temp, registered, path);
        Ok(())
    }

    /// [`Batch::file_with`] for text held whole.
    pub fn file(&mut self, path: &Path, contents: &str) -> Result<(), Error> {
        self.file_with(path, |w| w.write_all(contents.as_bytes()))
    }

    /// An exclusive temporary file for what `path` will hold, where [`Batch::commit`]
    /// can put it in place: in `path`'s folder, or the system's temporary folder for a
    /// target written in place.
    pub fn temp_for(&self, path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
        if writes_in_place(path) {
            // Copied, never renamed: readable by its owner only meanwhile.
            tempfile::Builder::new()
                .prefix(".ccsim-")
                .suffix(".tmp")
                .tempfile_in(std::env::temp_dir())
        } else {
            exclusive_temp_file(folder_of(path), ".ccsim-")
        }
    }

    /// A temporary file made by [`Batch::temp_for`] and written whole, to become `path`.
    pub fn add_temp(&mut self, temp: tempfile::NamedTempFile, path: &Path) {
        let registered = Registered::new(temp.path());
        self.staged(temp, registered, path);
    }

    fn staged(&mut self, temp: tempfile::NamedTempFile, registered: Registered, path: &Path) {
        self.files.push(Staged {
            temp,
            _registered: registered,
            target: path.to_owned(),
            in_place: writes_in_place(path),
        });
    }

    /// A set of files, to be swapped into its folder by [`Batch::commit`].
    pub fn set(&mut self, set: FileSet) {
        self.sets.push(set);
    }

    /// Puts every output in place. Those written in place (devices, pipes, streams) go
    /// first: they are the ones that can fail now (a pipe with no reader, a full device)
    /// and cannot be taken back, so a failure there leaves every file and folder as it
    /// was. Then the sets (each swapped in whole), then each file renamed over its
    /// target.
    pub fn commit(mut self) -> Result<(), Error> {
        crate::interrupt::check()?;
        for staged in &self.files {
            if !staged.in_place {
                refuse_folder(&staged.target)?;
            }
        }
        let (in_place, renamed): (Vec<Staged>, Vec<Staged>) = self.files.drain(..).partition(|s| s.in_place);
        for mut staged in in_place {
            let name = staged.target.display().to_string();
            let mut out = InPlace::open(&staged.target).map_err(|e| Error::io(&name, e))?;
            use std::io::Seek;
            let temp = staged.temp.as_file_mut();
            temp.seek(std::io::SeekFrom::Start(0))
                .and_then(|_| std::io::copy(temp, &mut out))
                .and_then(|_| out.flush())
                .map_err(|e| stopped_or(Error::io(&name, e)))?;
        }
        for set in self.sets.drain(..) {
            set.commit()?;
        }
        for staged in renamed {
            let name = staged.target.display().to_string();
            staged
                .temp
                .persist(&staged.target)
                .map_err(|e| Error::io(&name, e.error))?;
        }
        Ok(())
    }
}

/// [`Error::Interrupted`] if a Ctrl-C was asked for (a write it cut short), else `error`.
pub(crate) fn stopped_or(error: Error) -> Error {
    if crate::interrupt::requested() {
        Error::Interrupted
    } else {
        error
    }
}

/// An output that is an existing folder is refused (a rename would fail or, for an
/// empty folder, replace it).
fn refuse_folder(path: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(Error::Other(format!(
            "{} is a folder: ccsim will not replace it with a file",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// A set of files written into a folder all or nothing (see the module's description):
/// [`FileSet::begin`], then [`FileSet::add`] for each file, the manifest last, then
/// [`FileSet::commit`]. Dropped without a commit, it removes everything it wrote.
pub struct FileSet {
    dir: PathBuf,
    /// The folder, opened and locked exclusively (unlocked when closed).
    _lock: Option<File>,
    temp: tempfile::TempDir,
    _registered: Registered,
    names: Vec<String>,
    /// Whether `dir` was created for this set (removed again if nothing is committed).
    created: bool,
}

impl FileSet {
    /// Creates `dir` if needed, locks it against other writers (waiting for them) and
    /// opens a fresh temporary folder inside it.
    pub fn begin(dir: &Path) -> Result<FileSet, Error> {
        let name = dir.display().to_string();
        let created = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|e| Error::io(&name, e))?;
        let lock = lock_folder(dir).map_err(|e| Error::io(&name, e))?;
        if lock.is_none() && !dir.is_dir() {
            return Err(Error::Other(format!("{name} is not a folder")));
        }
        let temp = tempfile::Builder::new()
            .prefix(".ccsim-out-")
            .tempdir_in(dir)
            .map_err(|e| Error::io(&name, e))?;
        let registered = Registered::new(temp.path());
        Ok(FileSet {
            dir: dir.to_owned(),
            _lock: lock,
            temp,
            _registered: registered,
            names: Vec::new(),
            created,
        })
    }

    /// Writes one file of the set into the temporary folder.
    pub fn add(&mut self, name: &str, contents: &str) -> Result<(), Error> {
        self.add_with(name, |w| w.write_all(contents.as_bytes()))
    }

    /// Writes one file of the set into the temporary folder through `write`, which
    /// streams it (the file is never held in memory whole).
    pub fn add_with(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut std::io::BufWriter<File>) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        crate::interrupt::check()?;
        let path = self.temp.path().join(name);
        let written = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map(std::io::BufWriter::new)
            .and_then(|mut w| {
                write(&mut w)?;
                w.flush()
            });
        written.map_err(|e| Error::io(self.dir.join(name).display().to_string(), e))?;
        self.names.push(name.to_owned());
        Ok(())
    }

    /// Swaps the whole set into the folder; the last file added is the manifest. The old
    /// manifest goes first, then every file is renamed into place, the manifest last.
    pub fn commit(mut self) -> Result<(), Error> {
        crate::interrupt::check()?;
        let manifest = self.names.last().expect("a set has at least its manifest");
        for name in &self.names {
            refuse_folder(&self.dir.join(name))?;
        }
        let target = |name: &str| self.dir.join(name);
        match std::fs::remove_file(target(manifest)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(target(manifest).display().to_string(), e)),
        }
        for name in &self.names {
            std::fs::rename(self.temp.path().join(name), target(name))
                .map_err(|e| Error::io(target(name).display().to_string(), e))?;
        }
        self.created = false;
        Ok(())
    }
}

impl Drop for FileSet {
    fn drop(&mut self) {
        // The temporary folder is removed by its own drop, which runs after this one;
        // a folder made for a set that was never committed goes once it is empty.
        if self.created {
            let _ = std::fs::remove_dir_all(self.temp.path());
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// Opens `dir` and takes an exclusive lock on it, waiting for any other holder. If the
/// folder was removed or replaced while waiting (a writer that created it and failed
/// removes it), the folder now at `dir` is created and locked instead.
#[cfg(unix)]
fn lock_folder(dir: &Path) -> std::io::Result<Option<File>> {
    use std::os::unix::fs::MetadataExt;
    loop {
        std::fs::create_dir_all(dir)?;
        let folder = File::open(dir)?;
        folder.lock()?;
        let (held, now) = (folder.metadata()?, std::fs::metadata(dir));
        if now.is_ok_and(|now| (now.dev(), now.ino()) == (held.dev(), held.ino())) {
            return Ok(Some(folder));
        }
    }
}

/// Folders cannot be opened as files here: writers are not serialised.
#[cfg(not(unix))]
fn lock_folder(_dir: &Path) -> std::io::Result<Option<File>> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_file(&path, "one").unwrap();
        write_file(&path, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(listing(dir.path()), ["a.txt"]);
    }

    #[test]
    fn a_set_is_swapped_in_with_its_manifest_last() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut set = FileSet::begin(&out).unwrap();
        set.add("a.csv", "a").unwrap();
        set.add("m.json", "{}").unwrap();
        set.commit().unwrap();
        assert_eq!(listing(&out), ["a.csv", "m.json"]);
        // A set never committed leaves the folder as it was.
        let mut set = FileSet::begin(&out).unwrap();
        set.add("a.csv", "new").unwrap();
        drop(set);
        assert_eq!(listing(&out), ["a.csv", "m.json"]);
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "a");
        // And a folder made for a set that failed is removed again.
        let fresh = dir.path().join("fresh");
        let set = FileSet::begin(&fresh).unwrap();
        drop(set);
        assert!(!fresh.exists());
    }
}
