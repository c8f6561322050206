from desktop.cli import main

# Guarded: an import's child process (multiprocessing's spawn) imports this module too.
if __name__ == "__main__":
    raise SystemExit(main())
