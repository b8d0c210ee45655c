#include "daemon/config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "connectors/connector_spec.hpp"
#include "connectors/plugin_loader.hpp"
#include "connectors/registry.hpp"
#include "connectors/webhook.hpp"

namespace arsync {
namespace {

namespace fs = std::filesystem;

class ConfigReader {
 public:
  explicit ConfigReader(fs::path file) : file_(std::move(file)) {}

  std::expected<Config, std::vector<Error>> read() {
    YAML::Node root;
    try {
      root = YAML::LoadFile(file_.string());
    } catch (const YAML::BadFile&) {
      return std::unexpected(
          std::vector<Error>{{ErrorKind::kNotFound,
                              "cannot read the config file (give another with --config)", file_.string()}});
    } catch (const YAML::Exception& e) {
      return std::unexpected(std::vector<Error>{{ErrorKind::kInvalidInput, e.msg, where(e.mark)}});
    }
    Config config;
    config.file = fs::absolute(file_);
    if (!root.IsMap()) {
      problem(root, "the config must be a mapping with 'mirror' and 'connectors'");
      return std::unexpected(std::move(problems_));
    }
    // Plugins first, wherever the key sits: the connectors below may be of a plugin's type.
    if (const YAML::Node dirs = static_cast<const YAML::Node&>(root)["plugin_dirs"]) read_plugin_dirs(dirs, config);
    for (auto item : root) {
      std::string key = item.first.as<std::string>();
      if (key == "plugin_dirs") {
        // read above
      } else if (key == "mirror") {
        config.mirror = path(item.second);
      } else if (key == "connectors") {
        read_connectors(item.second, config);
      } else if (key == "server") {
        read_server(item.second, config.server);
      } else if (key == "portal") {
        read_portal(item.second, config.portal);

      } else if (key == "outbox") {
        read_outbox(item.second, config.outbox);
      } else {
        problem(item.first,
                "unknown key '" + key + "' (expected mirror, plugin_dirs, connectors, server, portal or outbox)");
      }
    }
    if (config.mirror.empty()) problem(root, "missing 'mirror': the path of the SQLite mirror file");
    if (!problems_.empty()) return std::unexpected(std::move(problems_));
    return config;
  }

 private:
  std::string where(const YAML::Mark& mark) const {
    return file_.string() + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  void problem(const YAML::Node& node, std::string message) {
    problems_.push_back({ErrorKind::kInvalidInput, std::move(message), where(node.Mark())});
  }

  fs::path path(const YAML::Node& node) {
    fs::path p = scalar(node);
    return p.is_absolute() || p.empty() ? p : file_.parent_path() / p;
  }

  // A scalar with ${...} references resolved.
  std::string scalar(const YAML::Node& node) {
    if (!node.IsScalar()) {
      problem(node, "expected a single value here");
      return {};
    }
    std::string text = node.Scalar(), out;
    for (std::size_t i = 0; i < text.size();) {
      auto open = text.find("${", i);
      if (open == std::string::npos) {
        out += text.substr(i);
        break;
      }
      auto close = text.find('}', open);
      if (close == std::string::npos) {
        problem(node, "unclosed '${' in \"" + text + "\"");
        return {};
      }
      out += text.substr(i, open - i);
      out += resolve(node, text.substr(open + 2, close - open - 2));
      i = close + 1;
    }
    return out;
  }

  std::string resolve(const YAML::Node& node, const std::string& reference) {
    if (reference.rfind("file:", 0) == 0) return read_secret_file(node, reference.substr(5));
    if (reference.rfind("credential:", 0) == 0) {
      const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
      if (!dir) {
        problem(node, "${" + reference + "} needs $CREDENTIALS_DIRECTORY (set by systemd's LoadCredential=)");
        return {};
      }
      return read_secret_file(node, (fs::path(dir) / reference.substr(11)).string());
    }
    auto dash = reference.find(":-");
    std::string name = reference.substr(0, dash);
    if (const char* value = std::getenv(name.c_str())) return value;
    if (dash != std::string::npos) return reference.substr(dash + 2);
    problem(node, "environment variable " + name + " is not set (or write ${" + name + ":-default})");
    return {};
  }

  std::string read_secret_file(const YAML::Node& node, const std::string& file) {
    std::ifstream in(file);
    if (!in) {
      problem(node, "cannot read " + file);
      return {};
    }
    std::stringstream content;
    content << in.rdbuf();
    std::string text = content.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }

  // plugin_dirs: one folder or a list of them; every *.so inside is loaded (plugin_loader.hpp).
  void read_plugin_dirs(const YAML::Node& node, Config& config) {
    if (node.IsSequence()) {
      for (const YAML::Node& item : node) config.plugin_dirs.push_back(path(item));
    } else {
      config.plugin_dirs.push_back(path(node));
    }
    for (Error& e : load_plugins(config.plugin_dirs, where(node.Mark()))) problems_.push_back(std::move(e));
  }

  void read_connectors(const YAML::Node& list, Config& config) {
    if (!list.IsSequence()) return problem(list, "'connectors' must be a list");
    for (const YAML::Node& node : list) {
      if (!node.IsMap()) {
        problem(node, "a connector must be a mapping with name, type and streams");
        continue;
      }
      ConnectorEntry entry;
      entry.config.where = where(node.Mark());
      for (auto item : node) {
        std::string key = item.first.as<std::string>();
        if (key == "name")
          entry.config.name = scalar(item.second);
        else if (key == "type")
          entry.config.type = scalar(item.second);
        else if (key == "streams")
          read_streams(item.second, entry);
        else if (key == "webhook")
          read_webhook(item.second, entry.webhook);
        else
          entry.config.options[key] = {scalar(item.second), where(item.second.Mark())};
      }
      check_connector(node, entry, config);
      config.connectors.push_back(std::move(entry));
    }
  }

  void read_streams(const YAML::Node& list, ConnectorEntry& entry) {
    if (!list.IsSequence()) return problem(list, "'streams' must be a list");
    for (const YAML::Node& node : list) {
      StreamEntry stream;
      StreamConfig options;
      stream.where = options.where = where(node.Mark());
      for (auto item : node) {
        std::string key = item.first.as<std::string>();
        if (key == "name")
          stream.name = options.name = scalar(item.second);
        else if (key == "mapping")
          stream.mapping = path(item.second);
        else if (key == "poll")
          stream.poll = duration(item.second);
        else if (key == "webhook_entity")
          stream.webhook_entity = scalar(item.second);
        else if (key == "reconcile")
          stream.reconcile = scalar(item.second) == "off" ? std::chrono::milliseconds{0} : duration(item.second);
        else
          options.options[key] = {scalar(item.second), where(item.second.Mark())};
      }
      if (stream.name.empty()) problem(node, "a stream needs a name");
      if (stream.mapping.empty()) problem(node, "stream '" + stream.name + "' needs a mapping file");
      entry.streams.push_back(std::move(stream));
      entry.config.streams.push_back(std::move(options));
    }
  }

  std::chrono::milliseconds duration(const YAML::Node& node) {
    auto parsed = parse_duration(scalar(node));
    if (!parsed) problem(node, parsed.error().message);
    return parsed.value_or(std::chrono::milliseconds{60'000});
  }

  std::int64_t integer(const YAML::Node& node) {
    std::string text = scalar(node);
    try {
      std::size_t used = 0;
      long long value = std::stoll(text, &used);
      if (used == text.size() && value >= 0) return value;
    } catch (const std::exception&) {
    }
    problem(node, "\"" + text + "\" is not a whole number");
    return 0;
  }

  void read_webhook(const YAML::Node& node, WebhookEntry& webhook) {
    if (!node.IsMap()) return problem(node, "'webhook' must be a mapping with a scheme and its options");
    webhook.where = where(node.Mark());
    for (auto item : node) {
      std::string key = item.first.as<std::string>();
      if (key == "scheme")
        webhook.scheme = scalar(item.second);
      else
        webhook.options[key] = {scalar(item.second), where(item.second.Mark())};
    }
    const WebhookSchemeSpec* spec = find_webhook_scheme(webhook.scheme);
    if (!spec) {
      std::string known;
      for (const WebhookSchemeSpec* s : webhook_schemes())
        known += (known.empty() ? "" : ", ") + std::string(s->name);
      return problem(node, "unknown webhook scheme '" + webhook.scheme + "' (known: " + known + ")");
    }
    for (Error& e : check_options(webhook.options, spec->options, "webhook scheme " + webhook.scheme)) {
      if (e.where.empty()) e.where = webhook.where;
      problems_.push_back(std::move(e));
    }
  }

  void read_server(const YAML::Node& node, ServerOptions& server) {
    if (!node.IsMap()) return problem(node, "'server' must be a mapping (listen, tls_cert, tls_key, ...)");
    for (auto item : node) {
      std::string key = item.first.as<std::string>();
      const YAML::Node& value = item.second;
      if (key == "listen") {
        std::string listen = scalar(value);
        auto colon = listen.rfind(':');
        if (colon == std::string::npos) {
          problem(value, "listen must be ADDRESS:PORT, e.g. 127.0.0.1:8080");
          continue;
        }
        server.address = listen.substr(0, colon);
        if (!server.address.empty() && server.address.front() == '[')
          server.address = server.address.substr(1, server.address.size() - 2);
        unsigned port = 0;
        std::string digits = listen.substr(colon + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc() || end != digits.data() + digits.size() || port > 65535)
          problem(value, "'" + digits + "' is not a port number (0-65535)");
        server.port = static_cast<std::uint16_t>(port);
      } else if (key == "tls_cert") {
        server.tls_cert_file = path(value).string();
      } else if (key == "tls_key") {
        server.tls_key_file = path(value).string();
      } else if (key == "max_body") {
        server.max_body_bytes = static_cast<std::size_t>(integer(value));
      } else if (key == "max_connections") {
        server.max_connections = static_cast<std::size_t>(integer(value));
      } else if (key == "io_threads") {
        auto n = integer(value);
        if (n < 1 || n > 64) problem(item.second, "io_threads must be between 1 and 64");
        else server.io_threads = static_cast<std::size_t>(n);
      } else if (key == "header_timeout") {
        server.header_timeout = duration(value);
      } else if (key == "body_timeout") {
        server.body_timeout = duration(value);
      } else {
        problem(item.first,
                "unknown server option '" + key +
                    "' (expected listen, tls_cert, tls_key, max_body, max_connections, io_threads, "
                    "header_timeout, body_timeout)");
      }
    }
    if (server.tls_cert_file.empty() != server.tls_key_file.empty())
      problem(node, "TLS needs both tls_cert and tls_key");
  }

  void read_portal(const YAML::Node& node, PortalOptions& portal) {
    if (!node.IsMap()) return problem(node, "'portal' must be a mapping (tokens, read_threads)");
    for (auto item : node) {
      std::string key = item.first.as<std::string>();
      if (key == "read_threads") {
        portal.read_threads = static_cast<int>(std::clamp<std::int64_t>(integer(item.second), 1, 64));
      } else if (key == "tokens" && item.second.IsSequence()) {
        for (const YAML::Node& token : item.second) read_token(token, portal.tokens);
      } else {
        problem(item.first, "unknown or malformed portal option '" + key +
                                "' (expected read_threads, or tokens: a list of name/sha256/scopes)");
      }
    }
  }

  void read_outbox(const YAML::Node& node, OutboxSettings& outbox) {
    if (!node.IsMap()) return problem(node, "'outbox' must be a mapping (concurrency, batch, retry_base, retry_max)");
    for (auto item : node) {
      const std::string key = item.first.as<std::string>();
      const YAML::Node& value = item.second;
      if (key == "concurrency") {
        outbox.concurrency = static_cast<int>(integer(value));
        if (outbox.concurrency < 1 || outbox.concurrency > 64) problem(value, "concurrency must be 1 to 64");
      } else if (key == "batch") {
        outbox.batch = static_cast<std::size_t>(integer(value));
        if (outbox.batch < 1 || outbox.batch > 1000) problem(value, "batch must be 1 to 1000");
      } else if (key == "retry_base") {
        outbox.retry.base = duration(value);
      } else if (key == "retry_max") {
        outbox.retry.cap = duration(value);
      } else {
        problem(item.first, "unknown outbox option '" + key + "' (expected concurrency, batch, retry_base, retry_max)");
      }
    }
  }

  void read_token(const YAML::Node& node, std::vector<ApiToken>& tokens) {
    ApiToken token;
    for (auto item : node) {
      std::string key = item.first.as<std::string>();
      if (key == "name") {
        token.name = scalar(item.second);
      } else if (key == "sha256") {
        auto hash = parse_token_hash(scalar(item.second));
        if (!hash) problem(item.second, "sha256 must be 64 hex digits: run `arsync token hash` and paste its output");
        token.sha256 = hash.value_or("");
      } else if (key == "scopes" && item.second.IsSequence()) {
        for (const YAML::Node& scope : item.second) {
          std::string name = scalar(scope);
          if (name == "read") token.read = true;
          else if (name == "write") token.write = true;
          else problem(scope, "unknown scope '" + name + "' (expected read or write)");
        }
      } else {
        problem(item.first, "unknown token option '" + key + "' (expected name, sha256, scopes: [read, write])");
      }
    }
    if (token.name.empty() || token.sha256.empty()) problem(node, "a portal token needs a name and a sha256");
    tokens.push_back(std::move(token));
  }

  void check_connector(const YAML::Node& node, ConnectorEntry& entry, const Config& config) {
    const std::string& name = entry.config.name;
    if (name.empty()) return problem(node, "a connector needs a name");
    for (const ConnectorEntry& other : config.connectors)
      if (other.config.name == name) problem(node, "connector name '" + name + "' is used twice");
    entry.spec = find_connector(entry.config.type);
    if (!entry.spec) return problem(node, "connector " + name + ": unknown type '" + entry.config.type + "'");
    auto add = [&](std::vector<Error> found, const std::string& fallback_where) {
      for (Error& e : found) {
        if (e.where.empty()) e.where = fallback_where;
        problems_.push_back(std::move(e));
      }
    };
    add(check_options(entry.config.options, entry.spec->options, "connector " + name), entry.config.where);
    for (const StreamConfig& stream : entry.config.streams)
      add(check_options(stream.options, entry.spec->stream_options, "stream " + name + "/" + stream.name),
          stream.where);
  }

  fs::path file_;
  std::vector<Error> problems_;
};

}  // namespace

const ConnectorEntry* Config::find_connector(std::string_view name) const {
  for (const ConnectorEntry& entry : connectors)
    if (entry.config.name == name) return &entry;
  return nullptr;
}

std::expected<Config, std::vector<Error>> load_config(const std::filesystem::path& file) {
  return ConfigReader(file).read();
}

std::filesystem::path default_config_path() {
  if (const char* env = std::getenv("ARSYNC_CONFIG")) return env;
  return "/etc/arsync/arsync.yaml";
}

}  // namespace arsync
