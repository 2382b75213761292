/*
 * A power cut without a VM: preloaded into the gateway (LD_PRELOAD), it keeps, for every file under
 * $POWERCUT_DIR, a copy of the file as it was at its last fsync/fdatasync (`<file>.synced`). After a
 * SIGKILL the harness puts each file back to that copy: what was written and never synced is gone,
 * as it would be after a power cut on a disk that honours its flushes. The copy is made before the
 * real sync returns, so a copy exists only for data the process asked to be durable.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/stat.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void snapshot(int fd) {
  const char *dir = getenv("POWERCUT_DIR");
  if (!dir) return;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = 0;
  if (strncmp(path, dir, strlen(dir)) != 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return; /* a directory's sync: the files are what we keep */
  size_t len = strlen(path);
  if (len > 4 && strcmp(path + len - 4, "-shm") == 0) return; /* rebuilt by SQLite at open */
  char tmp[PATH_MAX + 16], dst[PATH_MAX + 16];
  snprintf(tmp, sizeof tmp, "%s.synced.tmp", path);
  snprintf(dst, sizeof dst, "%s.synced", path);
  pthread_mutex_lock(&lock);
  int in = open(path, O_RDONLY);
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in >= 0 && out >= 0) {
    char buf[65536];
    ssize_t r;
    while ((r = read(in, buf, sizeof buf)) > 0) {
      if (write(out, buf, (size_t)r) != r) break;
    }
    rename(tmp, dst);
  }
  if (in >= 0) close(in);
  if (out >= 0) close(out);
  pthread_mutex_unlock(&lock);
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  int rc = real(fd);
  if (rc == 0) snapshot(fd);
  return rc;
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  int rc = real(fd);
  if (rc == 0) snapshot(fd);
  return rc;
}
