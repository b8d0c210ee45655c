#include "daemon/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "connectors/registry.hpp"

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
      return std::unexpected(std::vector<Error>{
          {ErrorKind::kNotFound, "cannot read the config file (give another with --config)", file_.string()}});
    } catch (const YAML::Exception& e) {
      return std::unexpected(std::vector<Error>{{ErrorKind::kInvalidInput, e.msg, where(e.mark)}});
    }
    Config config;
    config.file = fs::absolute(file_);
    if (!root.IsMap()) {
      problem(root, "the config must be a mapping with 'mirror' and 'connectors'");
      return std::unexpected(std::move(problems_));
    }
    for (auto item : root) {
      std::string key = item.first.as<std::string>();
      if (key == "mirror") {
        config.mirror = path(item.second);
      } else if (key == "connectors") {
        read_connectors(item.second, config);
      } else {
        problem(item.first, "unknown key '" + key + "' (expected mirror or connectors)");
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
        if (key == "name") entry.config.name = scalar(item.second);
        else if (key == "type") entry.config.type = scalar(item.second);
        else if (key == "streams") read_streams(item.second, entry);
        else entry.config.options[key] = {scalar(item.second), where(item.second.Mark())};
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
        if (key == "name") stream.name = options.name = scalar(item.second);
        else if (key == "mapping") stream.mapping = path(item.second);
        else options.options[key] = {scalar(item.second), where(item.second.Mark())};
      }
      if (stream.name.empty()) problem(node, "a stream needs a name");
      if (stream.mapping.empty()) problem(node, "stream '" + stream.name + "' needs a mapping file");
      entry.streams.push_back(std::move(stream));
      entry.config.streams.push_back(std::move(options));
    }
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
