#include "html_page.hpp"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

namespace qflow {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  return out;
}

constexpr const char* kStyle =
    "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0;font-size:90%}th,td{border:1px solid #ccc;padding:.25em .6em}"
    "th{background:#f0f0f0}td{text-align:right}td:first-child{text-align:left}"
    "img{max-width:100%}code{background:#f4f4f4;padding:0 .2em}";

}  // namespace

std::string markdown_to_html_page(const std::string& title, const std::string& markdown) {
  cmark_gfm_core_extensions_ensure_registered();
  std::unique_ptr<cmark_parser, void (*)(cmark_parser*)> parser(cmark_parser_new(CMARK_OPT_DEFAULT), cmark_parser_free);
  cmark_syntax_extension* table = cmark_find_syntax_extension("table");
  if (!table) throw std::runtime_error("cmark-gfm has no table extension");
  cmark_parser_attach_syntax_extension(parser.get(), table);
  cmark_parser_feed(parser.get(), markdown.data(), markdown.size());
  std::unique_ptr<cmark_node, void (*)(cmark_node*)> document(cmark_parser_finish(parser.get()), cmark_node_free);
  char* body = cmark_render_html(document.get(), CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser.get()));
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) +
                     "</title><style>" + kStyle + "</style></head><body>\n" + body + "</body></html>\n";
  std::free(body);
  return html;
}

void write_html_page(const std::filesystem::path& file, const std::string& title, const std::string& markdown) {
  std::ofstream out(file);
  if (!(out << markdown_to_html_page(title, markdown))) throw std::runtime_error(file.string() + ": cannot write");
}

}  // namespace qflow
