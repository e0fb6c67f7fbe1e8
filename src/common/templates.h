#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace chatshop::common {

// The locale every template set must have; others fall back to it name by name.
inline constexpr const char* kDefaultLocale = "en";

// A shop's replacements for templates, keyed "<locale>/<name>" (say "hi/welcome").
using TemplateOverrides = std::map<std::string, std::string>;

// Mustache sources of the replies chatshop sends, by locale and name, read once at start-up
// from <dir>/<locale>/<name>.mustache. Immutable after loading: safe to share between threads.
class TemplateSet {
 public:
  // Reads every locale directory under `dir`. kInvalidArgument lists every problem at once: no
  // "en" directory, a template that does not compile, a name "en" has that another locale
  // lacks, a name in `required` that "en" lacks.
  [[nodiscard]] static Result<TemplateSet> Load(const std::filesystem::path& dir,
                                                const std::vector<std::string>& required);

  // A set from sources in memory ("en" → name → source), for tests; not validated.
  static TemplateSet FromSources(std::map<std::string, std::map<std::string, std::string>> sources);

  std::vector<std::string> Locales() const;
  bool HasLocale(const std::string& locale) const { return sources_.count(locale) > 0; }
  // True when the default locale has a template of this name.
  bool HasName(const std::string& name) const;
  // The shipped source of a template (the locale's, else the default locale's); "" if none.
  std::string Source(const std::string& locale, const std::string& name) const;

  // Renders template `name` for `locale` with `data`. A shop override wins when it exists,
  // compiles and renders to something; then the locale's own template; then the default
  // locale's; "" when none has it.
  // Values are inserted as they are: WhatsApp text is not HTML, so nothing is escaped.
  std::string Render(const std::string& locale, const std::string& name, const nlohmann::json& data,
                     const TemplateOverrides* overrides) const;

 private:
  std::map<std::string, std::map<std::string, std::string>> sources_;
};

// Why a Mustache source cannot be used, or "" when it compiles.
std::string TemplateProblem(const std::string& source);

// The names a Mustache source refers to ({{name}}, {{#name}}, {{^name}}, {{/name}}, {{&name}}).
std::set<std::string> TemplateVariables(const std::string& source);

// Why a shop's replacement for a shipped template cannot be used, or "": it must compile, must
// not be blank and may only use names the shipped template uses (the data has no others).
std::string OverrideProblem(const std::string& shipped, const std::string& replacement);

// Renders one Mustache source with JSON data (objects, arrays as sections, strings, numbers,
// booleans), without HTML escaping. An invalid source renders as "".
std::string RenderMustache(const std::string& source, const nlohmann::json& data);

}  // namespace chatshop::common
