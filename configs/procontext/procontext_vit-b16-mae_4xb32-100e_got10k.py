# ProContEXT, GOT-10k model of Table 1 (GOT-10k row; trained on GOT-10k train only).
_base_ = ['../_base_/models/procontext_vit-b16.py', '../_base_/default_runtime.py']
