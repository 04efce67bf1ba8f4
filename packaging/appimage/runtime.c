/* The AppImage runtime: the ELF program at the head of NetRaven Desktop's AppImage.
 *
 * Written here rather than downloaded because the usual prebuilt runtime comes from a
 * host this project cannot reach; it links Debian's static squashfuse and libfuse3.
 * The file layout is AppImage type 2: this program, then a SquashFS image that starts
 * where the ELF file ends (section headers last), and the bytes "AI\2" at offset 8 of
 * the ELF header (packaging/build.py writes them). So `--appimage-offset` works with
 * other AppImage tools, and `unsquashfs -o OFFSET` can read the image too.
 *
 *   ./X.AppImage [args]                   mount the image read-only with FUSE, run AppRun
 *   APPIMAGE_EXTRACT_AND_RUN=1 ./X ...     extract to a temporary folder, run, delete it
 *   ./X.AppImage --appimage-extract        extract into ./squashfs-root
 *   ./X.AppImage --appimage-offset         print where the image starts
 *
 * When FUSE cannot mount (no /dev/fuse, no fusermount3, a container), it says so on
 * stderr and extracts and runs instead: slower to start, same program.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 32

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <squashfuse/ll.h>
#include <squashfuse/squashfuse.h>

static char self[PATH_MAX];
static volatile pid_t program; /* AppRun's process while it runs */

/* `kill` or a service manager stopping the AppImage stops the program, not just us. */
static void forward(int sig)
{
    if (program > 0)
        kill(program, sig);
}

static void die(const char *what)
{
    fprintf(stderr, "appimage runtime: %s: %s\n", what, strerror(errno));
    exit(127);
}

/* Where the SquashFS image starts: the end of the ELF file's section header table. */
static off_t elf_size(const char *path)
{
    unsigned char ident[EI_NIDENT];
    off_t size = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || pread(fd, ident, sizeof ident, 0) != sizeof ident)
        die(path);
    if (ident[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr h;
        if (pread(fd, &h, sizeof h, 0) == sizeof h)
            size = (off_t)h.e_shoff + (off_t)h.e_shentsize * h.e_shnum;
    } else if (ident[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr h;
        if (pread(fd, &h, sizeof h, 0) == sizeof h)
            size = (off_t)h.e_shoff + (off_t)h.e_shentsize * h.e_shnum;
    }
    close(fd);
    if (size <= 0) {
        fprintf(stderr, "appimage runtime: %s is not an ELF file\n", path);
        exit(127);
    }
    return size;
}

static int write_file(sqfs *fs, sqfs_inode *inode, const char *path, mode_t mode)
{
    char buf[1 << 16];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    for (sqfs_off_t at = 0; at < (sqfs_off_t)inode->xtra.reg.file_size;) {
        sqfs_off_t got = sizeof buf;
        if (sqfs_read_range(fs, inode, at, &got, buf) != SQFS_OK || got <= 0)
            goto fail;
        for (sqfs_off_t done = 0; done < got;) {
            ssize_t n = write(fd, buf + done, (size_t)(got - done));
            if (n < 0)
                goto fail;
            done += n;
        }
        at += got;
    }
    return close(fd);
fail:
    close(fd);
    return -1;
}

/* Every directory, file and symlink of the image under `target` (created if missing). */
static void extract(off_t offset, const char *target)
{
    sqfs fs;
    sqfs_traverse trv;
    sqfs_err err = SQFS_OK;
    char path[PATH_MAX];

    if (sqfs_open_image(&fs, self, (size_t)offset) != SQFS_OK) {
        fprintf(stderr, "appimage runtime: no SquashFS image at offset %lld of %s\n",
                (long long)offset, self);
        exit(127);
    }
    if (mkdir(target, 0755) != 0 && errno != EEXIST)
        die(target);
    if (sqfs_traverse_open(&trv, &fs, sqfs_inode_root(&fs)) != SQFS_OK)
        die("cannot read the image's root directory");
    while (sqfs_traverse_next(&trv, &err)) {
        sqfs_inode inode;
        if (trv.dir_end)
            continue;
        if (sqfs_inode_get(&fs, &inode, trv.entry.inode) != SQFS_OK)
            die(trv.path);
        if ((size_t)snprintf(path, sizeof path, "%s/%s", target, trv.path) >= sizeof path) {
            errno = ENAMETOOLONG;
            die(trv.path);
        }
        mode_t mode = inode.base.mode & 07777;
        switch (inode.base.inode_type) {
        case SQUASHFS_DIR_TYPE:
        case SQUASHFS_LDIR_TYPE:
            /* Owner-writable while extracting, so read-only folders can be filled. */
            if (mkdir(path, mode | 0700) != 0 && errno != EEXIST)
                die(path);
            break;
        case SQUASHFS_REG_TYPE:
        case SQUASHFS_LREG_TYPE:
            if (write_file(&fs, &inode, path, mode) != 0 || chmod(path, mode) != 0)
                die(path);
            break;
        case SQUASHFS_SYMLINK_TYPE:
        case SQUASHFS_LSYMLINK_TYPE: {
            char link[PATH_MAX];
            size_t size = sizeof link;
            if (sqfs_readlink(&fs, &inode, link, &size) != SQFS_OK)
                die(path);
            unlink(path);
            if (symlink(link, path) != 0)
                die(path);
            break;
        }
        default: /* devices, fifos and sockets have no place in an application */
            break;
        }
    }
    if (err != SQFS_OK)
        die("cannot read the image");
    sqfs_traverse_close(&trv);
    sqfs_destroy(&fs);
}

/* Run AppRun from `appdir` with the AppImage environment; returns its exit status. */
static int run(const char *appdir, char **argv)
{
    char apprun[PATH_MAX], cwd[PATH_MAX];
    int status;
    snprintf(apprun, sizeof apprun, "%s/AppRun", appdir);
    setenv("APPIMAGE", self, 1);
    setenv("APPDIR", appdir, 1);
    setenv("ARGV0", argv[0], 1);
    if (getcwd(cwd, sizeof cwd) != NULL)
        setenv("OWD", cwd, 1);
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        argv[0] = apprun;
        execv(apprun, argv);
        die(apprun);
    }
    program = child;
    /* Like system(): the terminal's ^C and ^\ are the program's to handle. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    struct sigaction pass = {.sa_handler = forward};
    sigaction(SIGTERM, &pass, NULL);
    sigaction(SIGHUP, &pass, NULL);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    program = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int extract_and_run(off_t offset, char **argv)
{
    char dir[PATH_MAX];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/appimage_extracted_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        die(dir);
    extract(offset, dir);
    int status = run(dir, argv);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return status;
}

/* The FUSE server: a child that serves the image until its parent sends SIGTERM. */
static void serve(off_t offset, const char *mountpoint, int ready)
{
    struct fuse_lowlevel_ops ops = {
        .lookup = sqfs_ll_op_lookup,
        .forget = sqfs_ll_op_forget,
        .getattr = sqfs_ll_op_getattr,
        .readlink = sqfs_ll_op_readlink,
        .open = sqfs_ll_op_open,
        .read = sqfs_ll_op_read,
        .release = sqfs_ll_op_release,
        .opendir = sqfs_ll_op_opendir,
        .readdir = sqfs_ll_op_readdir,
        .releasedir = sqfs_ll_op_releasedir,
        .statfs = stfs_ll_op_statfs,
        .listxattr = sqfs_ll_op_listxattr,
        .getxattr = sqfs_ll_op_getxattr,
        .create = sqfs_ll_op_create,
    };
    char *args_v[] = {"appimage", "-o", "ro,nodev,nosuid,default_permissions", NULL};
    struct fuse_args args = FUSE_ARGS_INIT(3, args_v);
    sqfs_ll_chan channel;
    char ok = 0;
    sqfs_ll *ll = sqfs_ll_open(self, (size_t)offset);
    if (ll != NULL && sqfs_ll_mount(&channel, mountpoint, &args, &ops, sizeof ops, ll) == SQFS_OK)
        ok = 1;
    if (write(ready, &ok, 1) != 1 || !ok)
        _exit(1);
    close(ready);
    fuse_set_signal_handlers(channel.session);
    signal(SIGINT, SIG_IGN); /* ^C stops the program, which then stops the server */
    signal(SIGHUP, SIG_IGN);
    fuse_session_loop(channel.session);
    fuse_remove_signal_handlers(channel.session);
    sqfs_ll_unmount(&channel, mountpoint);
    _exit(0);
}

/* Mount, run, unmount; -1 if the image could not be mounted (nothing ran). */
static int mount_and_run(off_t offset, char **argv)
{
    char mountpoint[PATH_MAX];
    int pipefd[2];
    char ok = 0;
    const char *tmp = getenv("TMPDIR");
    snprintf(mountpoint, sizeof mountpoint, "%s/.mount_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(mountpoint) == NULL || pipe2(pipefd, O_CLOEXEC) != 0)
        return -1;
    pid_t server = fork();
    if (server < 0)
        die("fork");
    if (server == 0) {
        /* Should this process be killed outright, unmount rather than leave it behind. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        close(pipefd[0]);
        int quiet = open("/dev/null", O_WRONLY); /* libfuse's own complaints */
        dup2(quiet, STDERR_FILENO);
        serve(offset, mountpoint, pipefd[1]);
    }
    close(pipefd[1]);
    int status = -1;
    if (read(pipefd[0], &ok, 1) == 1 && ok)
        status = run(mountpoint, argv);
    close(pipefd[0]);
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    rmdir(mountpoint);
    return status;
}

int main(int argc, char **argv)
{
    if (realpath("/proc/self/exe", self) == NULL)
        die("/proc/self/exe");
    off_t offset = elf_size(self);
    if (argc > 1 && strcmp(argv[1], "--appimage-offset") == 0) {
        printf("%lld\n", (long long)offset);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--appimage-extract") == 0) {
        extract(offset, "squashfs-root");
        printf("squashfs-root\n");
        return 0;
    }
    const char *env = getenv("APPIMAGE_EXTRACT_AND_RUN");
    if (env != NULL && *env && strcmp(env, "0") != 0)
        return extract_and_run(offset, argv);
    int status = mount_and_run(offset, argv);
    if (status >= 0)
        return status;
    fprintf(stderr, "appimage runtime: cannot mount with FUSE; extracting to a temporary "
                    "folder instead (APPIMAGE_EXTRACT_AND_RUN=1 skips this attempt)\n");
    return extract_and_run(offset, argv);
}
