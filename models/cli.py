"""`kakashi model ...`: build the training dataset, train and export models, show a model file.

Only argparse is imported here: ``edge.cli`` builds its parser at every start,
and numpy, aquacrop or lightgbm must load only when one of these commands runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

DEFAULT_DATA_DIR = Path("var/models")
DEFAULT_CROPS = ("maize", "wheat", "rice")


def add_model_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    model = subparsers.add_parser("model", help="yield models: build the dataset, train, inspect")
    sub = model.add_subparsers(dest="model_command", required=True, metavar="ACTION")

    build = sub.add_parser(
        "build-dataset",
        help="simulate seasons with AquaCrop and cache features and yields (needs kakashi[train])",
    )
    build.add_argument("--crop", action="append", choices=DEFAULT_CROPS, help="default: all")
    build.add_argument("--out-dir", type=Path, default=DEFAULT_DATA_DIR, help="default var/models")
    build.add_argument("--workers", type=int, default=1, help="simulation processes (default 1)")
    build.add_argument("--seed", type=int, default=None, help="sensor noise and sampling seed")
    build.add_argument("--max-years", type=int, default=None, help="first N weather years/site")
    build.add_argument(
        "--splices",
        type=int,
        default=None,
        help="spliced seasons per real one (default: the crop's plan; wheat 4, maize 2, rice 0)",
    )
    build.set_defaults(func=build_dataset_main)

    train = sub.add_parser(
        "train", help="fit, calibrate, evaluate and export the yield models (needs kakashi[train])"
    )
    train.add_argument("--crop", action="append", choices=DEFAULT_CROPS, help="default: all")
    train.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default var/models")
    train.add_argument("--out-dir", type=Path, default=None, help="default: the shipped models")
    train.add_argument("--version", default="1.4.0", help="model version written to the file")
    train.add_argument("--trees", type=int, default=None, help="boosting rounds per quantile")
    train.add_argument(
        "--workers", type=int, default=1, help="rotations fitted at once (default 1)"
    )
    train.set_defaults(func=train_main)

    analog = sub.add_parser(
        "analog-experiment",
        help="AquaCrop with analogue years for the rest of the season, on held-out years",
    )
    analog.add_argument("--crop", choices=DEFAULT_CROPS, default="maize")
    analog.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="default var/models"
    )
    analog.add_argument("--seasons", type=int, default=45, help="test seasons (default 45)")
    analog.add_argument(
        "--fit-seasons",
        type=int,
        default=None,
        help="training seasons for the bias model (default: as --seasons; 0: no bias model)",
    )
    analog.add_argument(
        "--analogs", type=int, default=12, help="analogue years per forecast (0: every one)"
    )
    analog.add_argument(
        "--stage", type=int, action="append", choices=(30, 60, 90), help="default: all three"
    )
    analog.add_argument("--workers", type=int, default=1)
    analog.set_defaults(func=analog_main)

    info = sub.add_parser("info", help="print a model file's metadata and check it")
    info.add_argument("model", type=Path)
    info.set_defaults(func=info_main)


def build_dataset_main(args: argparse.Namespace) -> int:
    from tqdm import tqdm  # type: ignore[import-untyped,import-not-found,unused-ignore]

    from models.training.scenarios import DatasetConfig
    from models.training.seasons import build_dataset, dataset_path, manifest
    from models.training.simulate import SimulatedSeason

    def progress(
        items: Iterable[SimulatedSeason | str], total: int, crop: str
    ) -> Iterable[SimulatedSeason | str]:
        bar: Iterable[SimulatedSeason | str] = tqdm(
            items, total=total, desc=f"{crop} seasons", unit="season"
        )
        return bar

    config = DatasetConfig(
        crops=tuple(args.crop or DEFAULT_CROPS), max_years=args.max_years, splices=args.splices
    )
    if args.seed is not None:
        config = replace(config, seed=args.seed)
    for crop in config.crops:
        dataset, failures = build_dataset(
            crop,
            config,
            workers=args.workers,
            progress=progress,
        )
        path = dataset_path(args.out_dir, crop)
        dataset.save(path, manifest(config, failures, dataset.seasons))
        spliced = dataset.seasons - int(dataset.real().sum())
        print(
            f"{crop}: {dataset.seasons} seasons ({spliced} spliced) -> {path} "
            f"(sha256 {dataset.digest()[:12]}); {len(failures)} left out"
        )
        for failure in failures[:5]:
            print(f"  left out: {failure}", file=sys.stderr)
    return 0


def train_main(args: argparse.Namespace) -> int:
    from models.training.train import train_main as run

    return run(args)


def analog_main(args: argparse.Namespace) -> int:
    import json
    import logging

    from models.registry import newest_shipped
    from models.training.analog_eval import run_experiment
    from models.training.seasons import dataset_path, store_seed

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    store = dataset_path(args.data_dir, args.crop)
    figures = run_experiment(
        store,
        args.crop,
        newest_shipped(args.crop),
        args.data_dir,
        seasons=args.seasons,
        fit_seasons=args.seasons if args.fit_seasons is None else args.fit_seasons,
        analogs=args.analogs,
        stages=tuple(sorted(set(args.stage or (30, 60, 90)))),
        workers=args.workers,
        seed=store_seed(store),
    )
    print(json.dumps(figures, indent=2))
    return 0


def info_main(args: argparse.Namespace) -> int:
    from models.model_file import ModelFileError, read_model_file

    try:
        model = read_model_file(args.model)
    except ModelFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(model.describe())
    return 0
