/// Module Accounting: see DESIGN notes in README.
enum AccountingModule {}
