"""The `newsclean` command with a checkpoint in its commit, for tests that stop or kill a run at an exact moment:

    python -m tests.checkpointed_cli FOLDER MOMENT N newsclean-arguments...

Before the N-th file the run stages (MOMENT `stage`) or puts in place (`publish`: a rename, or a PUT), it writes
FOLDER/reached (the file's key) and waits until FOLDER/go exists, or until it is stopped or killed there. The hook goes
in through newsclean.write.commit.commit_checkpoints, in this process only: the command itself reads no test setting."""
import sys
import time
from pathlib import Path

REACHED, GO = "reached", "go"


def install(folder: Path, moment: str, count: int) -> None:
    from newsclean.write import commit as write

    seen = []

    def checkpoint(kind: str, key: str) -> None:
        if kind != moment:
            return
        seen.append(key)
        if len(seen) == count:
            (folder / REACHED).write_text(key, encoding="utf-8")
            while not (folder / GO).exists():
                time.sleep(0.02)

    write.commit_checkpoints.append(checkpoint)


if __name__ == "__main__":
    folder, moment, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    folder.mkdir(parents=True, exist_ok=True)
    sys.argv = [sys.argv[0], *sys.argv[4:]]
    install(folder, moment, count)
    from flows.cli import entry

    entry()
