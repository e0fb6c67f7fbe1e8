#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace chatshop::service {

// The Graph API's send endpoint (docs/cloud-api.md §5.1). Implementations must be safe to call from
// several threads at once.
class GraphApi {
 public:
  virtual ~GraphApi() = default;

  // POSTs `payload` to /{version}/{phone_number_id}/messages with the shop's token and returns
  // the wamid Meta assigned ("" for a read receipt, BuildMarkRead, which is not a message). On
  // failure the error code says what to do: kUnavailable and kResourceExhausted may be retried,
  // kUnauthenticated means the token is bad, anything else is permanent for this payload. The
  // message names Meta's code, never the token.
  [[nodiscard]] virtual Result<std::string> SendMessage(const std::string& phone_number_id,
                                                        const std::string& access_token,
                                                        const nlohmann::json& payload) = 0;
};

// A media object as Meta describes it (docs/cloud-api.md §6 "get URL").
struct MediaInfo {
  std::string url;  // valid for 5 minutes; download with the token
  std::string mime_type;
  std::string sha256;      // hex or base64 (both occur); may be empty
  int64_t file_size = -1;  // -1: not given
};

// The Graph API's media endpoints (docs/cloud-api.md §6). Implementations must be safe to call from
// several threads at once. Errors follow GraphApi::SendMessage's meaning.
class MediaApi {
 public:
  virtual ~MediaApi() = default;
  // GET /{version}/{media_id}?phone_number_id=…: where to download it.
  [[nodiscard]] virtual Result<MediaInfo> GetMedia(const std::string& phone_number_id,
                                                   const std::string& access_token,
                                                   const std::string& media_id) = 0;
  // GET `url` with the token; kResourceExhausted when it is larger than `max_bytes`.
  [[nodiscard]] virtual Result<std::string> Download(const std::string& access_token,
                                                     const std::string& url, int64_t max_bytes) = 0;
  // POST /{version}/{phone_number_id}/media: the new media id, usable in messages for 30 days.
  [[nodiscard]] virtual Result<std::string> Upload(const std::string& phone_number_id,
                                                   const std::string& access_token,
                                                   const std::string& bytes,
                                                   const std::string& mime_type) = 0;
};

}  // namespace chatshop::service
