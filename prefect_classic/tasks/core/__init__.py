"""Core task types: constants, functions, collections, operators, resource managers."""
