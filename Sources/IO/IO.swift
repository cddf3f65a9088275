/// Module IO: see DESIGN notes in README.
enum IOModule {}
