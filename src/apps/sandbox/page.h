#pragma once

namespace chatshop::sandbox {

// The sandbox's chat page (GET /sandbox): plain HTML, CSS and JavaScript, no build step.
extern const char* const kSandboxPage;

}  // namespace chatshop::sandbox
