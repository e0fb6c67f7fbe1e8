#include "common/url.h"

namespace chatshop::common {

UrlParts SplitUrl(std::string_view url) {
  auto scheme_end = url.find("://");
  auto path_start = url.find('/', scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  if (path_start == std::string_view::npos) return {std::string(url), ""};
  UrlParts parts{std::string(url.substr(0, path_start)), std::string(url.substr(path_start))};
  while (!parts.path.empty() && parts.path.back() == '/') parts.path.pop_back();
  return parts;
}

}  // namespace chatshop::common

#include <algorithm>
#include <cctype>

namespace chatshop::common {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// %XX sequences decoded; false on a malformed one.
bool PercentDecoded(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      return false;
    }
    out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return true;
}

// "host", "host:port", "[v6]" or "[v6]:port"; false when malformed.
bool SplitHostPort(std::string_view authority, std::string& host, int& port) {
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      port_text = rest.substr(1);
      if (port_text.empty()) return false;
    }
  } else {
    const size_t colon = authority.rfind(':');
    host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return false;
    }
  }
  if (host.empty() || host.find_first_of(" /?#@[]") != std::string::npos) return false;
  if (!port_text.empty()) {
    if (port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return false;
  }
  host = Lower(host);
  return true;
}

}  // namespace

tl::expected<RedisEndpoint, std::string> ParseRedisUrl(std::string_view url) {
  if (url.rfind("rediss://", 0) == 0) {
    return tl::unexpected(std::string(
        "rediss:// (Redis over TLS) is not supported: Debian 12's hiredis (0.14) has no TLS; "
        "use redis:// on a private network or through a TLS tunnel (stunnel, spiped)"));
  }
  if (url.rfind("redis://", 0) != 0) {
    return tl::unexpected(std::string("expected a URL starting with redis://"));
  }
  std::string_view rest = url.substr(8);
  std::string_view path;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  RedisEndpoint endpoint;
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = userinfo.find(':');
    const std::string_view user = userinfo.substr(0, colon);
    const std::string_view password =
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(colon + 1);
    // redis://secret@host is how some tools write a password alone; redis://user@host (a
    // user without password) cannot log in, so the lone part is the password.
    if (colon == std::string_view::npos) {
      if (!PercentDecoded(user, endpoint.password)) {
        return tl::unexpected(std::string("the password has a malformed %-escape"));
      }
    } else if (!PercentDecoded(user, endpoint.username) ||
               !PercentDecoded(password, endpoint.password)) {
      return tl::unexpected(std::string("the user or password has a malformed %-escape"));
    }
    if (!endpoint.username.empty() && endpoint.password.empty()) {
      return tl::unexpected(
          std::string("a user name needs a password (redis://user:password@host)"));
    }
  }
  if (!SplitHostPort(rest, endpoint.host, endpoint.port)) {
    return tl::unexpected(std::string("expected redis://[[user]:password@]host[:port][/db]"));
  }
  if (!path.empty()) {
    if (path.size() > 5 || path.find_first_not_of("0123456789") != std::string_view::npos) {
      return tl::unexpected(std::string("the database after the host must be a number, like /0"));
    }
    endpoint.db = std::stoi(std::string(path));
  }
  return endpoint;
}

std::optional<HttpUrl> ParseHttpUrl(std::string_view url) {
  HttpUrl out;
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  out.scheme = Lower(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  const size_t target_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, target_start);
  if (authority.find('@') != std::string_view::npos) return std::nullopt;
  out.port = out.scheme == "https" ? 443 : 80;
  if (!SplitHostPort(authority, out.host, out.port)) return std::nullopt;
  std::string target = target_start == std::string_view::npos
                           ? std::string()
                           : std::string(rest.substr(target_start));
  if (const size_t hash = target.find('#'); hash != std::string::npos) target.erase(hash);
  if (target.empty() || target[0] != '/') target = "/" + target;
  out.target = target;
  return out;
}

bool IsLoopbackHost(std::string_view host) {
  const std::string h = Lower(host);
  if (h == "localhost" || h == "::1") return true;
  if (h.rfind("127.", 0) != 0) return false;
  // 127.a.b.c with numbers only, so that "127.evil.com" is not loopback.
  int dots = 0;
  for (char c : h) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

bool HostMatches(std::string_view host, std::string_view pattern) {
  const std::string h = Lower(host), p = Lower(pattern);
  if (p.rfind("*.", 0) == 0) {
    const std::string suffix = p.substr(1);  // ".domain"
    return h.size() > suffix.size() &&
           h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  return h == p;
}

}  // namespace chatshop::common
