#include "daemon/read_pool.hpp"

#include "schema/log.hpp"

namespace arsync {

ReadPool::ReadPool(std::filesystem::path mirror, int threads) : mirror_(std::move(mirror)) {
  for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { work(); });
}

ReadPool::~ReadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ReadPool::post(Job job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void ReadPool::work() {
  std::unique_ptr<MirrorReader> reader;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every queued job has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    if (!reader) {
      auto opened = MirrorReader::open(mirror_);
      if (!opened) {
        log(LogLevel::kError, "portal_reader_failed", {{"error", opened.error().describe()}});
        job(fail(opened.error()));
        continue;
      }
      reader = std::move(*opened);
    }
    job(reader.get());
  }
}

}  // namespace arsync
