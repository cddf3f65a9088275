/// Module AWS: see DESIGN notes in README.
enum AWSModule {}
