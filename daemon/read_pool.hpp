// ReadPool: a few threads that answer the portal's reads, each with its own read-only mirror
// connection (schema/mirror_reader.hpp), so a slow query never holds up the daemon's event
// loop or the one writer (DESIGN §7: WAL lets readers run beside the writer).
//
// Owner: the PortalApi. post() is callable from any thread; a job runs on one pool thread with
// that thread's reader, opened at its first job (and reopened after a failed open). The
// destructor finishes the queued jobs, then joins the threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "schema/mirror_reader.hpp"
#include "schema/result.hpp"

namespace arsync {

class ReadPool {
 public:
  // The reader, or why it could not be opened (the job must still answer its request).
  using Job = std::function<void(Result<MirrorReader*> reader)>;

  ReadPool(std::filesystem::path mirror, int threads);
  ~ReadPool();
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  void post(Job job);

 private:
  void work();

  // Constant after construction
  const std::filesystem::path mirror_;

  // Guarded by mutex_
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;

  std::vector<std::thread> threads_;  // last: started after the members they use
};

}  // namespace arsync
