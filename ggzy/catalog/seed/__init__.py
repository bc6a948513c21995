"""Reference data every installation starts with (loaded by data migrations, so every install has it)."""
