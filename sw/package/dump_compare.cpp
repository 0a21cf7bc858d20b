#include "dump_compare.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace qflow {
namespace {

LayerDiff compare_layer(const std::string& name, const CodeMap* a, const CodeMap* b) {
  LayerDiff d;
  d.layer = name;
  d.in_a = a != nullptr;
  d.in_b = b != nullptr;
  if (!a || !b) return d;
  d.same_shape = a->channels == b->channels && a->height == b->height && a->width == b->width;
  if (!d.same_shape) return d;
  d.codes = int64_t(a->codes.size());
  for (size_t i = 0; i < a->codes.size(); ++i) {
    const int diff = std::abs(int(a->codes[i]) - int(b->codes[i]));
    if (diff == 0) continue;
    if (d.mismatches++ == 0) {
      const size_t plane = size_t(a->height) * a->width;
      d.first_c = int(i / plane);
      d.first_y = int(i % plane / a->width);
      d.first_x = int(i % a->width);
      d.first_a = a->codes[i];
      d.first_b = b->codes[i];
    }
    d.max_abs_diff = std::max(d.max_abs_diff, diff);
  }
  return d;
}

const CodeMap* find(const std::map<std::string, CodeMap>& maps, const std::string& name) {
  auto it = maps.find(name);
  return it == maps.end() ? nullptr : &it->second;
}

}  // namespace

std::vector<LayerDiff> compare_dumps(const std::map<std::string, CodeMap>& a,
                                     const std::map<std::string, CodeMap>& b,
                                     const std::vector<std::string>& order) {
  std::vector<std::string> names = order;
  std::set<std::string> rest;
  for (const auto& [name, map] : a) rest.insert(name);
  for (const auto& [name, map] : b) rest.insert(name);
  for (const std::string& name : order) rest.erase(name);
  names.insert(names.end(), rest.begin(), rest.end());
  std::vector<LayerDiff> diffs;
  for (const std::string& name : names) diffs.push_back(compare_layer(name, find(a, name), find(b, name)));
  return diffs;
}

}  // namespace qflow
