// MirrorStore::apply_pages (declared in mirror_store.hpp): several pages, one transaction, so
// a source that hands over one file in parts (dropdir CSV) keeps "one file = one transaction"
// without holding the whole file's entities in memory.
//
// Each page is written inside a savepoint: a page that needs apply_page's isolated retry (a
// record broke a constraint half-way) rolls back to its own start, not the file's, and the
// pages before it stay in the open transaction.
#include "schema/mirror_store_impl.hpp"

namespace arsync {

Result<std::optional<PageOutcome>> MirrorStore::Impl::try_page_in_savepoint(const PageWrite& page,
                                                                            bool isolated) {
  const std::int64_t seq_before = last_seq;
  if (auto ok = db.exec("SAVEPOINT page", "cannot start the page's savepoint"); !ok) return fail(ok.error());
  auto outcome = write_page(page, isolated);
  if (outcome && *outcome) {
    if (auto ok = db.exec("RELEASE page", "cannot release the page's savepoint"); !ok) return fail(ok.error());
    return outcome;
  }
  (void)db.exec("ROLLBACK TO page", "cannot roll back the page");
  (void)db.exec("RELEASE page", "cannot release the page's savepoint");
  last_seq = seq_before;
  plan->forget_cached_ids();  // ids cached for rows the rollback removed
  if (!outcome) return fail(outcome.error());
  return std::optional<PageOutcome>();
}

Result<PageOutcome> MirrorStore::Impl::write_pages(const std::function<Result<const PageWrite*>()>& next) {
  PageOutcome total;
  for (;;) {
    auto page = next();
    if (!page) return fail(page.error());
    std::optional<PageOutcome> outcome;
    for (bool isolated : {false, true}) {
      auto tried = try_page_in_savepoint(**page, isolated);
      if (!tried) return fail(tried.error());
      if (*tried) {
        outcome = std::move(*tried);
        break;
      }
    }
    if (!outcome)
      return fail(ErrorKind::kIo, "internal error: an isolated page write asked to be retried", db.path());
    total.inserted += outcome->inserted;
    total.updated += outcome->updated;
    total.unchanged += outcome->unchanged;
    for (RejectRow& r : outcome->rejects) total.rejects.push_back(std::move(r));
    if (!(*page)->continues) return total;
  }
}

Result<PageOutcome> MirrorStore::apply_pages(const std::function<Result<const PageWrite*>()>& next) {
  std::lock_guard lock(impl_->mutex);
  Impl& m = *impl_;
  if (auto ok = m.writable("apply pages"); !ok) return fail(ok.error());
  const std::int64_t seq_before = m.last_seq;
  if (auto ok = m.db.exec("BEGIN IMMEDIATE", "cannot start the pages' transaction"); !ok) return fail(ok.error());
  auto written = m.write_pages(next);
  if (written) {
    auto committed = m.db.exec("COMMIT", "cannot commit the pages");
    if (committed) return written;
    written = fail(committed.error());
  }
  if (m.db.in_transaction()) (void)m.db.exec("ROLLBACK", "cannot roll back the pages");
  m.last_seq = seq_before;
  m.plan->forget_cached_ids();
  return fail(written.error());
}

}  // namespace arsync
