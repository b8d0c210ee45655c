// SyncCounter: counts the fsyncs SQLite asks for, by wrapping the default VFS for as long as it
// lives. Every connection opened meanwhile (a MirrorStore's too) goes through it, so a test can
// say how many durable commits a piece of work cost without strace or timing.
//
// One at a time per process; not thread-safe (a schema test's store runs on the test's thread).
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <cstddef>
#include <map>

namespace arsync::test {

class SyncCounter {
 public:
  SyncCounter() {
    real_ = sqlite3_vfs_find(nullptr);
    REQUIRE(real_);
    vfs_ = *real_;
    vfs_.zName = "arsync-sync-counter";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + real_->szOsFile;
    vfs_.xOpen = &open;
    vfs_.pAppData = this;
    REQUIRE(sqlite3_vfs_register(&vfs_, 1) == SQLITE_OK);
  }
  ~SyncCounter() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(real_, 1);
  }
  SyncCounter(const SyncCounter&) = delete;
  SyncCounter& operator=(const SyncCounter&) = delete;

  std::size_t syncs() const { return syncs_.load(); }

 private:
  // Our part of the sqlite3_file SQLite allocates (szOsFile); the real file follows it.
  struct File {
    sqlite3_file base;
    SyncCounter* counter;
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };

  static int open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    auto* self = static_cast<SyncCounter*>(vfs->pAppData);
    auto* f = reinterpret_cast<File*>(file);
    f->base.pMethods = nullptr;
    f->counter = self;
    int rc = self->real_->xOpen(self->real_, name, f->real(), flags, out_flags);
    if (f->real()->pMethods) f->base.pMethods = self->methods_for(f->real()->pMethods);
    return rc;
  }

  // The real file's methods, each forwarding to it, with xSync counted.
  const sqlite3_io_methods* methods_for(const sqlite3_io_methods* real) {
    auto [it, added] = methods_.try_emplace(real, *real);
    if (!added) return &it->second;
    sqlite3_io_methods& m = it->second;
    m.xClose = [](sqlite3_file* f) { return real_of(f)->pMethods->xClose(real_of(f)); };
    m.xRead = [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
      return real_of(f)->pMethods->xRead(real_of(f), b, n, o);
    };
    m.xWrite = [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
      return real_of(f)->pMethods->xWrite(real_of(f), b, n, o);
    };
    m.xTruncate = [](sqlite3_file* f, sqlite3_int64 n) {
      return real_of(f)->pMethods->xTruncate(real_of(f), n);
    };
    m.xSync = [](sqlite3_file* f, int flags) {
      reinterpret_cast<File*>(f)->counter->syncs_ += 1;
      return real_of(f)->pMethods->xSync(real_of(f), flags);
    };
    m.xFileSize = [](sqlite3_file* f, sqlite3_int64* n) {
      return real_of(f)->pMethods->xFileSize(real_of(f), n);
    };
    m.xLock = [](sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); };
    m.xUnlock = [](sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); };
    m.xCheckReservedLock = [](sqlite3_file* f, int* r) {
      return real_of(f)->pMethods->xCheckReservedLock(real_of(f), r);
    };
    m.xFileControl = [](sqlite3_file* f, int op, void* a) {
      return real_of(f)->pMethods->xFileControl(real_of(f), op, a);
    };
    m.xSectorSize = [](sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); };
    m.xDeviceCharacteristics = [](sqlite3_file* f) {
      return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
    };
    // WAL mode needs the shared-memory methods (iVersion >= 2); memory mapping (3) is not used.
    m.xShmMap = [](sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
      return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, extend, p);
    };
    m.xShmLock = [](sqlite3_file* f, int o, int n, int fl) {
      return real_of(f)->pMethods->xShmLock(real_of(f), o, n, fl);
    };
    m.xShmBarrier = [](sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); };
    m.xShmUnmap = [](sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); };
    m.iVersion = 2;
    m.xFetch = nullptr;
    m.xUnfetch = nullptr;
    return &m;
  }
  static sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real(); }

  sqlite3_vfs* real_ = nullptr;
  sqlite3_vfs vfs_{};
  std::map<const sqlite3_io_methods*, sqlite3_io_methods> methods_;
  std::atomic<std::size_t> syncs_{0};
};

}  // namespace arsync::test
