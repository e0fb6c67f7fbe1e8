#pragma once

#include <string_view>

#include "common/result.h"

namespace chatshop::whatsapp {

// Turns a failed Graph API answer into an Error whose code says whether to retry
// (docs/cloud-api.md §7: key on error.code, not on the HTTP status). `body` may be empty or not
// JSON (a proxy's 502 page). The message carries Meta's code and title, never a token.
// True for Meta's 131047: more than 24 hours since the customer last wrote; only a template
// may be sent (docs/cloud-api.md §5).
bool IsWindowClosed(const Error& error);

// How an error message begins when a send timed out after the request was written: Meta may
// have accepted it, so it is not sent again before its status webhook had time to tell.
inline constexpr const char* kUncertainSend = "graph api uncertain";
bool IsUncertainSend(const Error& error);

Error ClassifyGraphError(int http_status, std::string_view body);

}  // namespace chatshop::whatsapp
