# The demo catalog of `boxoffice serve --demo`, a library of its own so its test needs no server.
# boxoffice_core gives it the RFC 3339 formatting; Boost.DateTime (header-only) the time zones.
add_library(boxoffice_demo STATIC ${CMAKE_CURRENT_LIST_DIR}/demo_catalog.cpp)
target_include_directories(boxoffice_demo PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(boxoffice_demo PUBLIC boxoffice_core boxoffice_services Boost::json PRIVATE Boost::headers)
