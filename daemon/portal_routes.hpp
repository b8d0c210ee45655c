// The portal API's read routes (docs/portal-api.md): a GET under /v1 answered from one
// MirrorReader, and the JSON error answers every /v1 route shares. Called on a ReadPool thread
// with that thread's reader; no state of its own.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http_server.hpp"
#include "schema/mirror_reader.hpp"

namespace arsync {

// {"error": {"code": code, "message": message}} with `status`.
ServerResponse json_error(int status, std::string_view code, std::string message);
// An Error as its answer: InvalidInput 400, NotFound 404, anything else 500 (and logged).
ServerResponse error_response(const Error& error);

// The path under /v1 as segments: "/v1/customers/7/invoices" -> {"customers", "7", "invoices"}.
std::vector<std::string_view> v1_segments(std::string_view path);

// Whether /v1/<resource>... takes writes (POST/PATCH), handed to the PortalWriteHandler.
bool is_write_resource(std::string_view resource);

// Answers a GET. `state_dir` is where documents stored as files live (the mirror's folder).
ServerResponse answer_read(MirrorReader& reader, const ServerRequest& request, const std::filesystem::path& state_dir);

}  // namespace arsync
