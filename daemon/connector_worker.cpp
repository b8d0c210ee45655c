#include "daemon/connector_worker.hpp"

#include <pthread.h>

namespace arsync {

ConnectorWorker::ConnectorWorker(std::string name, std::unique_ptr<Connector> connector,
                                 std::map<std::string, const Mapping*> mappings, MirrorStore& store,
                                 DoneFn on_done)
    : name_(std::move(name)),
      connector_(std::move(connector)),
      mappings_(std::move(mappings)),
      store_(store),
      on_done_(std::move(on_done)),
      thread_([this](std::stop_token stop) { run(stop); }) {}

ConnectorWorker::~ConnectorWorker() {
  stop();
  join();
}

bool ConnectorWorker::request(const std::string& stream) {
  if (!mappings_.contains(stream)) return false;
  std::lock_guard lock(mutex_);
  if (thread_.get_stop_token().stop_requested() || !pending_.insert(stream).second) return true;
  queue_.push_back(stream);
  wake_.notify_all();
  return true;
}

void ConnectorWorker::stop() {
  std::lock_guard lock(mutex_);
  thread_.request_stop();
  queue_.clear();
  wake_.notify_all();
}

void ConnectorWorker::join() {
  if (thread_.joinable()) thread_.join();
}

bool ConnectorWorker::busy() const {
  std::lock_guard lock(mutex_);
  return !pending_.empty();
}

void ConnectorWorker::run(std::stop_token stop) {
  std::string thread_name = ("sync-" + name_).substr(0, 15);  // the kernel keeps 15 characters
  pthread_setname_np(pthread_self(), thread_name.c_str());
  for (;;) {
    std::string stream;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
      stream = queue_.front();
      queue_.pop_front();
    }
    SyncTarget target{*connector_, *mappings_.at(stream), name_, stream};
    StreamStats stats = sync_stream(store_, target, stop);
    {
      std::lock_guard lock(mutex_);
      pending_.erase(stream);
    }
    on_done_(stats);
  }
}

}  // namespace arsync
