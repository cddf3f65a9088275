/// Module HTTP: see DESIGN notes in README.
enum HTTPModule {}
