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
