// Cursor text: a stream's cursor kept exactly as the ERP writes its modification times, at the
// ERP's own precision — "2025-03-01T08:00:00.123Z" (ISO 8601, OData, NetSuite) or
// "03/01/2025 08:00:00" (Sage Intacct's WHENMODIFIED, whole seconds, GMT).
//
// CursorFormat reads such text into a UTC time (so cursors compare as times, not strings) and
// writes a time back in the same shape and precision (to send `cursor − overlap` in a delta
// query). RunCursor is DESIGN §4's boundary rule as a value: the cursor a page may commit is the
// greatest time seen so far when the ERP serves records in time order, and stays put until a
// run's last page when it does not — so a committed cursor is never ahead of a record the run has
// not returned yet. Plain values; no thread contract.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "schema/result.hpp"
#include "schema/timestamp.hpp"

namespace arsync {

class CursorFormat {
 public:
  // "iso8601", or a pattern of %Y %m %d %H %M %S and literal characters, read as UTC
  // ("%m/%d/%Y %H:%M:%S"). InvalidInput for anything else.
  static Result<CursorFormat> compile(std::string_view pattern);

  Result<UtcTime> parse(std::string_view text) const;
  // `time` in this format; for iso8601 with as many fraction digits as `like` has (truncated,
  // never rounded up, so a lowered cursor never lands after the real one).
  std::string format(UtcTime time, std::string_view like) const;

  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_ = "iso8601";  // a default CursorFormat reads ISO 8601
  bool iso_ = true;
};

class RunCursor {
 public:
  // A new run starts from the committed cursor (which may be "").
  void begin(const CursorFormat& format, const std::string& committed);
  // A record's modification time as the ERP wrote it; unreadable text is ignored (the mapping
  // decides whether the record is a reject).
  void see(const CursorFormat& format, std::string_view text);
  // The cursor this page commits: the run's greatest time when `ordered` or on the run's last
  // page, else the committed cursor the run began from.
  std::string page_cursor(bool ordered, bool last_page) const;

 private:
  std::string committed_;
  std::optional<UtcTime> best_;
  std::string best_text_;
};

}  // namespace arsync
