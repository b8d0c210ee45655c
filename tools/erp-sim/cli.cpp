// cli: see cli.hpp.
#include "tools/erp-sim/cli.hpp"

#include <charconv>
#include <functional>
#include <map>
#include <string_view>

namespace arsync::sim {
namespace {

template <class Int>
bool read_int(std::string_view text, Int min, Int max, Int& out) {
  Int value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) return false;
  out = value;
  return true;
}

bool read_rate(std::string_view text, double& out) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) return false;
  out = value;
  return true;
}

using Setter = std::function<bool(CliOptions&, std::string_view)>;

// One row per flag: its setter and the error's "expected ..." text.
struct Flag {
  Setter set;
  const char* expected;
};

const std::map<std::string_view, Flag>& flags() {
  static const std::map<std::string_view, Flag> kFlags = {
      {"--port",
       {[](CliOptions& o, std::string_view v) { return read_int<uint16_t>(v, 0, 65535, o.port); },
        "0..65535"}},
      {"--port-file",
       {[](CliOptions& o, std::string_view v) {
          o.port_file = v;
          return !v.empty();
        },
        "a file name"}},
      {"--seed",
       {[](CliOptions& o, std::string_view v) { return read_int<uint64_t>(v, 0, UINT64_MAX, o.data.seed); },
        "an unsigned integer"}},
      {"--customers",
       {[](CliOptions& o, std::string_view v) {
          return read_int<int64_t>(v, 1, 1'000'000'000, o.data.customers);
        },
        "1..1000000000"}},
      {"--invoices",
       {[](CliOptions& o, std::string_view v) {
          return read_int<int64_t>(v, 0, 1'000'000'000, o.data.invoices);
        },
        "0..1000000000"}},
      {"--lines-min",
       {[](CliOptions& o, std::string_view v) { return read_int(v, 1, kMaxLines, o.data.lines_min); },
        "1..50"}},
      {"--lines-max",
       {[](CliOptions& o, std::string_view v) { return read_int(v, 1, kMaxLines, o.data.lines_max); },
        "1..50"}},
      {"--token",
       {[](CliOptions& o, std::string_view v) {
          o.token = v;
          return !v.empty();
        },
        "a non-empty secret"}},
      {"--threads",
       {[](CliOptions& o, std::string_view v) { return read_int(v, 1, 64, o.threads); }, "1..64"}},
      {"--error-rate",
       {[](CliOptions& o, std::string_view v) { return read_rate(v, o.faults.error_rate); }, "a rate 0..1"}},
      {"--rate-429",
       {[](CliOptions& o, std::string_view v) { return read_rate(v, o.faults.rate_429); }, "a rate 0..1"}},
      {"--retry-after",
       {[](CliOptions& o, std::string_view v) { return read_int(v, 0, 3600, o.faults.retry_after_s); },
        "0..3600 seconds"}},
      {"--latency-ms",
       {[](CliOptions& o, std::string_view v) { return read_int(v, 0, 60'000, o.faults.latency_ms); },
        "0..60000"}},
      {"--truncate-rate",
       {[](CliOptions& o, std::string_view v) { return read_rate(v, o.faults.truncate_rate); },
        "a rate 0..1"}},
      {"--malformed-rate",
       {[](CliOptions& o, std::string_view v) { return read_rate(v, o.faults.malformed_rate); },
        "a rate 0..1"}},
      {"--drop-after-commit-rate",
       {[](CliOptions& o, std::string_view v) { return read_rate(v, o.faults.drop_after_commit_rate); },
        "a rate 0..1"}},
      {"--webhook-url",
       {[](CliOptions& o, std::string_view v) { return parse_webhook_url(v, o.webhook); },
        "http://127.0.0.1:PORT/path"}},
      {"--webhook-scheme",
       {[](CliOptions& o, std::string_view v) { return parse_webhook_format(v, o.webhook.format); },
        "hmac-sha256, stripe, qbo or xero"}},
      {"--webhook-secret",
       {[](CliOptions& o, std::string_view v) {
          o.webhook.secret = v;
          return !v.empty();
        },
        "a non-empty secret"}},
      {"--webhook-duplicates",
       {[](CliOptions& o, std::string_view v) { return read_rate(v, o.webhook.duplicate_rate); },
        "a rate 0..1"}},
  };
  return kFlags;
}

}  // namespace

std::expected<CliOptions, std::string> parse_cli(int argc, const char* const* argv) {
  CliOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      return options;
    }
    // The two switches without a value.
    if (arg == "--no-idempotency") {
      options.faults.honor_idempotency = false;
      continue;
    }
    if (arg == "--webhook-reorder" || arg == "--webhook-thin") {
      (arg == "--webhook-reorder" ? options.webhook.reorder : options.webhook.thin) = true;
      continue;
    }
    std::string_view value;
    bool has_value = false;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    const auto flag = flags().find(arg);
    if (flag == flags().end()) return std::unexpected("unknown option '" + std::string(arg) + "'");
    if (!has_value) {
      if (i + 1 >= argc) return std::unexpected("option '" + std::string(arg) + "' needs a value");
      value = argv[++i];
    }
    if (!flag->second.set(options, value))
      return std::unexpected("bad value '" + std::string(value) + "' for " + std::string(arg) +
                             ": expected " + flag->second.expected);
  }
  if (options.data.lines_min > options.data.lines_max)
    return std::unexpected("--lines-min must not exceed --lines-max");
  if (options.faults.error_rate + options.faults.rate_429 > 1)
    return std::unexpected("--error-rate plus --rate-429 must not exceed 1");
  return options;
}

std::string cli_usage() {
  return R"(usage: erp-sim [options]
A demo ERP: serves a deterministic generated company over an OData-style JSON API
on 127.0.0.1 (see tools/erp-sim/API.md).

  --port N             port to bind on 127.0.0.1 (default 0: a free port)
  --port-file FILE     also write the bound port to FILE (atomically)
  --seed N             data seed (default 42)
  --customers N        customers (default 200)
  --invoices N         invoices (default 5000)
  --lines-min N        fewest lines per invoice (default 1)
  --lines-max N        most lines per invoice (default 5, at most 50)
  --token SECRET       require "Authorization: Bearer SECRET" on /odata
  --threads N          server threads (default 2)
faults (also settable with POST /admin/faults):
  --error-rate R       share of /odata requests answering 500 or 503 (default 0)
  --rate-429 R         share answering 429 with Retry-After (default 0)
  --retry-after S      Retry-After seconds for 429 (default 1)
  --latency-ms N       delay added to each /odata request (default 0)
  --truncate-rate R    share of responses cut off mid-body (default 0)
  --malformed-rate R   share of unapplied invoices served malformed (default 0)
  --drop-after-commit-rate R  share of committed writes answered by closing the connection
  --no-idempotency     ignore Idempotency-Key: every write creates (duplicates for tests)
webhooks (API.md "Webhooks"; GET /admin/webhooks counts deliveries):
  --webhook-url URL    POST a signed event per changed record to http://127.0.0.1:PORT/path
  --webhook-scheme S   hmac-sha256 (default), stripe, qbo or xero
  --webhook-secret S   the signing key (default erp-sim-webhook-secret)
  --webhook-duplicates R  share of events delivered twice (default 0)
  --webhook-reorder    deliver each batch of events in reverse order
  --webhook-thin       ids only, no record (hmac-sha256 and stripe; qbo/xero are always thin)
  --help               show this help
)";
}

}  // namespace arsync::sim
