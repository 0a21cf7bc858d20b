// A report as a static HTML page: GitHub-flavoured Markdown (tables, images) rendered by
// cmark-gfm into one self-contained page with a little CSS, no script, readable without a server.
#pragma once

#include <filesystem>
#include <string>

namespace qflow {

std::string markdown_to_html_page(const std::string& title, const std::string& markdown);
void write_html_page(const std::filesystem::path& file, const std::string& title, const std::string& markdown);

}  // namespace qflow
