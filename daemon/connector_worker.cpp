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

bool ConnectorWorker::request(const std::string& stream, RunKind kind) {
  if (!mappings_.contains(stream)) return false;
  std::lock_guard lock(mutex_);
  return enqueue({stream, kind});
}

bool ConnectorWorker::request_ids(const std::string& stream, const std::vector<std::string>& ids) {
  if (!mappings_.contains(stream)) return false;
  // max_ids_per_pull() reads constant settings, so asking from this thread is safe.
  const bool by_id = connector_->max_ids_per_pull(stream) > 0;
  std::lock_guard lock(mutex_);
  std::set<std::string>& waiting = ids_[stream];
  if (by_id) waiting.insert(ids.begin(), ids.end());
  if (!by_id || waiting.size() > kMaxWaitingIds) {
    // The stream's delta brings these records too (their modification time moved), in far
    // fewer requests than reading this many by id.
    waiting.clear();
    return enqueue({stream, RunKind::kPull});
  }
  return enqueue({stream, RunKind::kTargeted});
}

bool ConnectorWorker::enqueue(Job job) {
  if (thread_.get_stop_token().stop_requested() || !pending_.insert(job).second) return true;
  queue_.push_back(std::move(job));
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
    Job job;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
      job = queue_.front();
      queue_.pop_front();
    }
    StreamStats stats = run_job(job, stop);
    stats.quarantined = connector_->quarantined().size();
    if (job.second != RunKind::kTargeted) {  // a targeted job left pending_ when it took its ids
      std::lock_guard lock(mutex_);
      pending_.erase(job);
    }
    on_done_(stats);
  }
}

StreamStats ConnectorWorker::run_job(const Job& job, std::stop_token stop) {
  const auto& [stream, kind] = job;
  SyncTarget target{*connector_, *mappings_.at(stream), name_, stream};
  if (kind == RunKind::kReconcile) return reconcile_stream(store_, target, stop);
  if (kind == RunKind::kPull) return sync_stream(store_, target, stop);
  std::vector<std::string> ids;
  {
    // Taken while the job is still pending: ids asked for from now on queue a new read.
    std::lock_guard lock(mutex_);
    std::set<std::string> waiting = std::move(ids_[stream]);
    ids_[stream].clear();
    ids.assign(waiting.begin(), waiting.end());
    pending_.erase(job);
  }
  return pull_ids(store_, target, ids, stop);
}

}  // namespace arsync
