#include "webhook/http_request_parser.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace chatshop::webhook {
namespace {

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsTokenChar(c); });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits a comma-separated header value into trimmed, lower-cased, non-empty items.
std::vector<std::string> ListItems(std::string_view value) {
  std::vector<std::string> items;
  while (true) {
    size_t comma = value.find(',');
    auto item = Trim(value.substr(0, comma));
    if (!item.empty()) items.push_back(Lower(item));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return items;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lowercase_name) return value;
  }
  return {};
}

std::string HttpRequest::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return "";
}

void HttpRequestParser::Reset() {
  state_ = State::kHead;
  failure_ = {};
  request_ = {};
  line_.clear();
  started_ = false;
  have_request_line_ = false;
  header_bytes_ = 0;
  header_count_ = 0;
  content_length_ = 0;
  chunk_left_ = 0;
}

void HttpRequestParser::Fail(int status, std::string reason) {
  state_ = State::kFailed;
  failure_ = {status, std::move(reason)};
  line_.clear();
  request_.body.clear();
}

size_t HttpRequestParser::LineLimit() const {
  if (state_ == State::kHead && !have_request_line_) return limits_.max_request_line_bytes;
  return limits_.max_header_line_bytes;
}

size_t HttpRequestParser::Feed(std::string_view data) {
  size_t used = 0;
  while (used < data.size() && state_ != State::kComplete && state_ != State::kFailed) {
    std::string_view rest = data.substr(used);
    if (state_ == State::kBody || state_ == State::kChunkData) {
      // Content-Length was checked against the limit; chunks are checked as they are announced.
      const uint64_t left =
          state_ == State::kBody ? content_length_ - request_.body.size() : chunk_left_;
      size_t take = static_cast<size_t>(std::min<uint64_t>(left, rest.size()));
      request_.body.append(rest.data(), take);
      used += take;
      if (state_ == State::kBody) {
        if (request_.body.size() == content_length_) state_ = State::kComplete;
      } else if ((chunk_left_ -= take) == 0) {
        state_ = State::kChunkEnd;
      }
      continue;
    }
    // Line-oriented states: collect up to the next LF, bounded.
    const void* lf = std::memchr(rest.data(), '\n', rest.size());
    size_t piece = lf ? static_cast<const char*>(lf) - rest.data() : rest.size();
    if (state_ == State::kHead && !have_request_line_ && line_.empty() &&
        (rest.front() == '\r' || rest.front() == '\n')) {
      used += 1;  // blank lines before the request line are ignored (RFC 9112 §2.2)
      continue;
    }
    if (state_ == State::kHead) started_ = true;
    if (line_.size() + piece > LineLimit()) {
      if (state_ == State::kHead && !have_request_line_) {
        Fail(414, "request line too long");
      } else {
        Fail(431, "header line too long");
      }
      return used;
    }
    line_.append(rest.data(), piece);
    used += piece;
    if (!lf) break;
    used += 1;  // the LF
    std::string line = std::move(line_);
    line_.clear();
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find('\r') != std::string::npos || line.find('\0') != std::string::npos) {
      Fail(400, "stray CR or NUL in a line");
      return used;
    }
    if (state_ == State::kHead || state_ == State::kTrailers) {
      header_bytes_ += line.size() + 2;
      if (header_bytes_ > limits_.max_header_bytes) {
        Fail(431, "request header fields too large");
        return used;
      }
    }
    OnLine(line);
  }
  return used;
}

void HttpRequestParser::OnLine(std::string_view line) {
  switch (state_) {
    case State::kHead:
      if (!have_request_line_) {
        OnRequestLine(line);
      } else if (line.empty()) {
        OnHeadComplete();
      } else {
        OnHeaderLine(line, /*trailer=*/false);
      }
      return;
    case State::kChunkSize: {
      size_t digits = 0;
      uint64_t size = 0;
      while (digits < line.size() && HexValue(line[digits]) >= 0) {
        if (digits == 15) return Fail(413, "chunk too large");
        size = size * 16 + HexValue(line[digits]);
        ++digits;
      }
      auto ext = Trim(line.substr(digits));
      if (digits == 0 || (!ext.empty() && ext.front() != ';')) return Fail(400, "bad chunk size");
      if (size > limits_.max_body_bytes - request_.body.size()) {
        return Fail(413, "body larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
      }
      chunk_left_ = size;
      state_ = size == 0 ? State::kTrailers : State::kChunkData;
      return;
    }
    case State::kChunkEnd:
      if (!line.empty()) return Fail(400, "chunk data longer than its size");
      state_ = State::kChunkSize;
      return;
    case State::kTrailers:
      if (line.empty()) {
        state_ = State::kComplete;
      } else {
        OnHeaderLine(line, /*trailer=*/true);
      }
      return;
    default:
      return;
  }
}

void HttpRequestParser::OnRequestLine(std::string_view line) {
  have_request_line_ = true;
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "malformed request line");
  }
  auto method = line.substr(0, sp1);
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Fail(400, "malformed method");
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[5])) ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return Fail(400, "malformed HTTP version");
  }
  if (version[5] != '1') return Fail(505, "HTTP version not supported");
  // Origin form only (RFC 9112 §3.2.1): a gateway behind nginx or reached by Meta never needs
  // the absolute or authority forms.
  if (target.empty() || (target.front() != '/' && !(target == "*" && method == "OPTIONS"))) {
    return Fail(400, "malformed request target");
  }
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f) return Fail(400, "malformed request target");
  }
  request_.method = std::string(method);
  request_.target = std::string(target);
  size_t q = target.find('?');
  request_.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) request_.query = std::string(target.substr(q + 1));
  request_.minor_version = version[7] - '0';
}

void HttpRequestParser::OnHeaderLine(std::string_view line, bool trailer) {
  if (++header_count_ > limits_.max_header_count) {
    return Fail(431, "too many header fields");
  }
  if (line.front() == ' ' || line.front() == '\t') {
    return Fail(400, "obsolete line folding");  // RFC 9112 §5.2: reject
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    return Fail(400, "malformed header field");
  }
  auto value = Trim(line.substr(colon + 1));
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return Fail(400, "control character in a header");
  }
  if (trailer) return;  // trailer fields are read and dropped: nothing here needs them
  request_.headers.emplace_back(Lower(line.substr(0, colon)), std::string(value));
}

void HttpRequestParser::OnHeadComplete() {
  auto& r = request_;
  std::vector<std::string> transfer_codings, connection, lengths;
  bool has_length = false, has_encoding = false;
  int hosts = 0;
  for (const auto& [name, value] : r.headers) {
    if (name == "transfer-encoding") {
      for (auto& item : ListItems(value)) transfer_codings.push_back(std::move(item));
      if (transfer_codings.empty()) transfer_codings.push_back("");
    } else if (name == "content-length") {
      has_length = true;
      for (auto& item : ListItems(value)) lengths.push_back(std::move(item));
      if (ListItems(value).empty()) lengths.push_back("");
    } else if (name == "content-encoding") {
      for (const auto& coding : ListItems(value)) {
        if (coding != "identity") has_encoding = true;
      }
    } else if (name == "connection") {
      for (auto& item : ListItems(value)) connection.push_back(std::move(item));
    } else if (name == "host") {
      ++hosts;
    } else if (name == "expect") {
      if (Lower(value) != "100-continue") return Fail(417, "unsupported expectation");
      r.expect_continue = r.minor_version >= 1;
    }
  }
  if (hosts > 1 || (hosts == 0 && r.minor_version >= 1)) {
    return Fail(400, "a request needs exactly one Host header");
  }
  const auto has = [&](const char* token) {
    return std::find(connection.begin(), connection.end(), token) != connection.end();
  };
  r.keep_alive = r.minor_version >= 1 ? !has("close") : has("keep-alive");

  // Nothing is decompressed here, ever: a small compressed body can inflate a thousandfold.
  if (has_encoding) return Fail(415, "Content-Encoding is not accepted; send identity");
  if (!transfer_codings.empty()) {
    // Both framings at once is how requests are smuggled past a proxy (RFC 9112 §6.1).
    if (has_length) return Fail(400, "both Content-Length and Transfer-Encoding");
    if (r.minor_version == 0) return Fail(400, "Transfer-Encoding in HTTP/1.0");
    if (transfer_codings.size() != 1 || transfer_codings[0] != "chunked") {
      return Fail(501, "only chunked transfer coding is accepted");
    }
    state_ = State::kChunkSize;
    return;
  }
  if (has_length) {
    // Several Content-Length values must agree (RFC 9110 §8.6), and be plain digits.
    for (const auto& l : lengths) {
      if (l != lengths.front() || l.empty() || l.size() > 18 ||
          !std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Fail(400, "malformed Content-Length");
      }
    }
    content_length_ = std::stoull(lengths.front());
    if (content_length_ > limits_.max_body_bytes) {
      return Fail(413, "body larger than " + std::to_string(limits_.max_body_bytes) + " bytes");
    }
    r.body.reserve(static_cast<size_t>(content_length_));
    state_ = content_length_ == 0 ? State::kComplete : State::kBody;
    return;
  }
  if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    return Fail(411, "a body needs Content-Length or chunked Transfer-Encoding");
  }
  state_ = State::kComplete;
}

}  // namespace chatshop::webhook
