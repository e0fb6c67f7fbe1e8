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
