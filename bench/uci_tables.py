#!/usr/bin/python3
"""Writes the UCI iris, wine and breast-cancer tables as a user would have them.

scikit-learn ships them (Debian's python3-sklearn, sklearn/datasets/data/*.csv) with a first line
of counts and the label last as an integer. This rewrites each with a header of column names,
the label last as a word (the class name) and the rows sorted by class, the way a spreadsheet
export or a CSV file from the web usually is: the case backprop-cl's CSV reader must handle with
`--label-column last`. Names come from sklearn's own loaders.

    /usr/bin/python3 bench/uci_tables.py [OUT_DIR]     (default: src/test/resources/uci)
"""
import csv
import os
import sys

from sklearn.datasets import load_breast_cancer, load_iris, load_wine

TABLES = [
    ("iris.csv", load_iris, "species"),
    ("wine.csv", load_wine, "cultivar"),
    ("breast_cancer.csv", load_breast_cancer, "diagnosis"),
]


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("src", "test", "resources", "uci")
    os.makedirs(out, exist_ok=True)
    for name, loader, label in TABLES:
        bunch = loader()
        rows = sorted(zip(bunch.target, bunch.data.tolist()), key=lambda r: r[0])   # stable: file order within a class
        path = os.path.join(out, name)
        with open(path, "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(list(bunch.feature_names) + [label])
            for target, features in rows:
                w.writerow([repr(v) for v in features] + [bunch.target_names[target]])
        print("%s: %d rows, %d features, classes %s" % (path, len(rows), len(bunch.feature_names),
                                                         ", ".join(bunch.target_names)))


if __name__ == "__main__":
    main()
