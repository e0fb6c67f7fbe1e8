#include "common/templates.h"

#include <fstream>
#include <kainjow/mustache.hpp>
#include <set>
#include <sstream>

namespace chatshop::common {
namespace {

namespace mustache = kainjow::mustache;

mustache::data ToMustacheData(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data object{mustache::data::type::object};
      for (const auto& [key, item] : value.items()) object.set(key, ToMustacheData(item));
      return object;
    }
    case nlohmann::json::value_t::array: {
      mustache::data list{mustache::data::type::list};
      for (const auto& item : value) list.push_back(ToMustacheData(item));
      return list;
    }
    case nlohmann::json::value_t::string:
      return mustache::data{value.get<std::string>()};
    case nlohmann::json::value_t::boolean:
      return mustache::data{value.get<bool>() ? mustache::data::type::bool_true
                                              : mustache::data::type::bool_false};
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return mustache::data{mustache::data::type::bool_false};
    default:  // numbers
      return mustache::data{value.dump()};
  }
}

// Template files end with a newline that is not part of the message.
std::string WithoutFinalNewline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

std::string TemplateProblem(const std::string& source) {
  mustache::mustache compiled{source};
  return compiled.is_valid() ? "" : compiled.error_message();
}

std::string RenderMustache(const std::string& source, const nlohmann::json& data) {
  mustache::mustache compiled{source};
  if (!compiled.is_valid()) return "";
  compiled.set_custom_escape([](const std::string& text) { return text; });
  return compiled.render(ToMustacheData(data));
}

std::set<std::string> TemplateVariables(const std::string& source) {
  std::set<std::string> names;
  for (size_t open = source.find("{{"); open != std::string::npos;
       open = source.find("{{", open + 2)) {
    const size_t close = source.find("}}", open + 2);
    if (close == std::string::npos) break;
    std::string tag = source.substr(open + 2, close - open - 2);
    if (!tag.empty() && std::string("#^/&{!>").find(tag[0]) != std::string::npos) {
      if (tag[0] == '!' || tag[0] == '>') continue;  // comments, partials
      tag.erase(0, 1);
    }
    if (!tag.empty() && tag.back() == '}') tag.pop_back();
    const auto first = tag.find_first_not_of(' ');
    const auto last = tag.find_last_not_of(' ');
    if (first != std::string::npos) names.insert(tag.substr(first, last - first + 1));
  }
  return names;
}

std::string OverrideProblem(const std::string& shipped, const std::string& replacement) {
  if (auto problem = TemplateProblem(replacement); !problem.empty()) return problem;
  if (replacement.find_first_not_of(" \t\r\n") == std::string::npos) return "it is blank";
  const std::set<std::string> known = TemplateVariables(shipped);
  std::string unknown;
  for (const auto& name : TemplateVariables(replacement)) {
    if (!known.count(name) && name != "shop") unknown += (unknown.empty() ? "" : ", ") + name;
  }
  if (!unknown.empty()) {
    std::string allowed = "shop";
    for (const auto& name : known) {
      if (name != "shop") allowed += ", " + name;
    }
    return "unknown name(s) " + unknown + "; this template has: " + allowed;
  }
  return "";
}

Result<TemplateSet> TemplateSet::Load(const std::filesystem::path& dir,
                                      const std::vector<std::string>& required) {
  namespace fs = std::filesystem;
  std::vector<std::string> problems;
  TemplateSet set;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "templates: " + dir.string() + " is not a directory");
  }
  for (const auto& locale_dir : fs::directory_iterator(dir, ec)) {
    if (!locale_dir.is_directory()) continue;
    const std::string locale = locale_dir.path().filename().string();
    auto& names = set.sources_[locale];
    for (const auto& file : fs::directory_iterator(locale_dir.path(), ec)) {
      if (file.path().extension() != ".mustache") continue;
      std::ifstream in(file.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      const std::string source = WithoutFinalNewline(text.str());
      if (auto problem = TemplateProblem(source); !problem.empty()) {
        problems.push_back(file.path().string() + ": " + problem);
      }
      names[file.path().stem().string()] = source;
    }
  }
  auto base = set.sources_.find(kDefaultLocale);
  if (base == set.sources_.end()) {
    problems.push_back("templates: " + dir.string() + " has no " + kDefaultLocale + " directory");
  } else {
    for (const auto& name : required) {
      if (!base->second.count(name)) {
        problems.push_back((dir / kDefaultLocale / (name + ".mustache")).string() + ": missing");
      }
    }
    for (const auto& [locale, names] : set.sources_) {
      for (const auto& [name, source] : base->second) {
        if (!names.count(name)) {
          problems.push_back((dir / locale / (name + ".mustache")).string() + ": missing");
        }
      }
    }
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) message += (message.empty() ? "" : "\n") + p;
    return MakeError(ErrorCode::kInvalidArgument, message);
  }
  return set;
}

TemplateSet TemplateSet::FromSources(
    std::map<std::string, std::map<std::string, std::string>> sources) {
  TemplateSet set;
  set.sources_ = std::move(sources);
  return set;
}

std::vector<std::string> TemplateSet::Locales() const {
  std::vector<std::string> locales;
  for (const auto& [locale, names] : sources_) locales.push_back(locale);
  return locales;
}

std::string TemplateSet::Source(const std::string& locale, const std::string& name) const {
  for (const std::string& candidate : {locale, std::string(kDefaultLocale)}) {
    auto names = sources_.find(candidate);
    if (names == sources_.end()) continue;
    if (auto source = names->second.find(name); source != names->second.end()) {
      return source->second;
    }
  }
  return "";
}

bool TemplateSet::HasName(const std::string& name) const {
  auto base = sources_.find(kDefaultLocale);
  return base != sources_.end() && base->second.count(name) > 0;
}

std::string TemplateSet::Render(const std::string& locale, const std::string& name,
                                const nlohmann::json& data,
                                const TemplateOverrides* overrides) const {
  if (overrides != nullptr) {
    auto it = overrides->find(locale + "/" + name);
    if (it != overrides->end() && TemplateProblem(it->second).empty()) {
      std::string rendered = RenderMustache(it->second, data);
      if (rendered.find_first_not_of(" \t\r\n") != std::string::npos) return rendered;
    }
  }
  for (const std::string& candidate : {locale, std::string(kDefaultLocale)}) {
    auto names = sources_.find(candidate);
    if (names == sources_.end()) continue;
    auto source = names->second.find(name);
    if (source != names->second.end()) return RenderMustache(source->second, data);
  }
  return "";
}

}  // namespace chatshop::common
