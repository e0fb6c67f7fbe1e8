#pragma once

#include <string>
#include <string_view>

namespace chatshop::common {

// "http://host:port/some/path" split into origin ("http://host:port") and path ("/some/path",
// empty when there is none, never ending in '/'). HTTP clients take the two apart.
struct UrlParts {
  std::string origin;
  std::string path;
};

UrlParts SplitUrl(std::string_view url);

}  // namespace chatshop::common

#include <optional>
#include <tl/expected.hpp>
#include <vector>

namespace chatshop::common {

// Where and how to reach Redis, from redis://[[username]:password@]host[:port][/db].
struct RedisEndpoint {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string username;  // empty: the default user (AUTH with the password alone)
  std::string password;  // secret; empty: no AUTH
};

// Parses a Redis URL (user and password percent-decoded; an IPv6 host in brackets). The error
// says what is wrong without ever quoting the URL, which may carry the password. rediss://
// (TLS) is refused: Debian 12's hiredis (0.14) has no TLS support.
tl::expected<RedisEndpoint, std::string> ParseRedisUrl(std::string_view url);

// An http(s) URL split for a client: scheme ("http" or "https", lower case), host (lower
// case, IPv6 without brackets), port (the scheme's default when absent) and the target (path
// and query, "/" when empty). nullopt when it is not such a URL (another scheme, user info,
// no host, a bad port).
struct HttpUrl {
  std::string scheme;
  std::string host;
  int port = 0;
  std::string target;
};
std::optional<HttpUrl> ParseHttpUrl(std::string_view url);

// True for a host that can only be this machine: localhost, 127.0.0.0/8, ::1.
bool IsLoopbackHost(std::string_view host);

// True when `host` is `pattern` (case-insensitive), or `pattern` is "*.<domain>" and `host`
// ends in ".<domain>" (a subdomain at any depth; not <domain> itself).
bool HostMatches(std::string_view host, std::string_view pattern);

}  // namespace chatshop::common
