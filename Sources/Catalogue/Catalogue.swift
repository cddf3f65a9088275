/// Module Catalogue: see DESIGN notes in README.
enum CatalogueModule {}
