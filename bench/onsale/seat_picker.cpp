#include "seat_picker.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json/parse.hpp>

namespace onsale {
namespace {

std::optional<std::string> decoded_base64(const boost::json::object& answer, const char* key) {
  const auto* text = answer.if_contains(key);
  if (text == nullptr || !text->is_string()) return std::nullopt;
  const auto& encoded = text->get_string();
  std::string bytes(boost::beast::detail::base64::decoded_size(encoded.size()), '\0');
  const auto [written, read] =
      boost::beast::detail::base64::decode(bytes.data(), encoded.data(), encoded.size());
  bytes.resize(written);
  return bytes;
}

bool bit(const std::string& bytes, std::uint32_t i) {
  const auto byte = i / 8;
  return byte < bytes.size() && ((static_cast<unsigned char>(bytes[byte]) >> (i % 8)) & 1) != 0;
}

}  // namespace

std::string seat_id(const Layout& layout, std::uint32_t index) {
  const auto per_section = layout.rows * layout.seats_per_row;
  const auto section = index / per_section;
  const auto row = index % per_section / layout.seats_per_row;
  const auto seat = index % layout.seats_per_row;
  std::string id = "S";
  id += std::to_string(section);
  id += "-R";
  id += std::to_string(row);
  id += '-';
  id += std::to_string(seat);
  return id;
}

std::optional<std::vector<bool>> available_seats(std::string_view availability_json,
                                                 const Layout& layout) {
  boost::system::error_code error;
  const auto value = boost::json::parse(availability_json, error);
  if (error || !value.is_object()) return std::nullopt;
  const auto held = decoded_base64(value.get_object(), "held_bitmap");
  const auto sold = decoded_base64(value.get_object(), "sold_bitmap");
  if (!held || !sold) return std::nullopt;
  std::vector<bool> available(layout.seats());
  for (std::uint32_t i = 0; i < layout.seats(); ++i)
    available[i] = !bit(*held, i) && !bit(*sold, i);
  return available;
}

std::vector<std::string> pick_together(const std::vector<bool>& available, const Layout& layout,
                                       std::uint32_t party, std::uint32_t first_section) {
  const auto per_section = layout.rows * layout.seats_per_row;
  for (std::uint32_t s = 0; s < layout.sections; ++s) {
    const auto section = (first_section + s) % layout.sections;
    for (std::uint32_t row = 0; row < layout.rows; ++row) {
      const auto row_start = section * per_section + row * layout.seats_per_row;
      std::uint32_t run = 0;
      for (std::uint32_t seat = 0; seat < layout.seats_per_row; ++seat) {
        run = available[row_start + seat] ? run + 1 : 0;
        if (run < party) continue;
        std::vector<std::string> seats;
        for (auto i = row_start + seat + 1 - party; i <= row_start + seat; ++i) {
          seats.push_back(seat_id(layout, i));
        }
        return seats;
      }
    }
  }
  return {};
}

std::vector<std::string> pick_any(const std::vector<bool>& available, const Layout& layout,
                                  std::uint32_t party, std::uint32_t from) {
  std::vector<std::string> seats;
  const auto total = layout.seats();
  for (std::uint32_t k = 0; k < total && seats.size() < party; ++k) {
    const auto i = (from + k) % total;
    if (available[i]) seats.push_back(seat_id(layout, i));
  }
  return seats;
}

}  // namespace onsale
