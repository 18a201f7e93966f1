add_library(boxoffice_demo STATIC ${CMAKE_CURRENT_LIST_DIR}/demo_catalog.cpp)
target_include_directories(boxoffice_demo PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(boxoffice_demo PUBLIC boxoffice_core Boost::json)
