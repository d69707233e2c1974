# golden
# Bad input: one line naming the object, the documented exit code (2 usage,
# 3 no such parent/type, 1 refused), and the host unchanged.
. ./common.sh
rmdev
rmdev frobnicate
rmdev --frob types
rmdev create
rmdev create --parent 01:00.0
rmdev create --type nvidia-222
rmdev create -p 01:00.0 -t nvidia-222 -u not-a-uuid
rmdev create -p 01:00.0 -t nvidia-222 -u 6b2d3c1e-4a5f-4b7e-9c1d-2e3f4a5b6c7
rmdev create -p 01:00.0 -t nvidia-222 --attr novalue
rmdev create -p 01:00.0 -t nvidia-222 --attr =5
rmdev create -p 01:00.0 -t nvidia-222 --attr ../remove=1
rmdev create -p 09:00.0 -t nvidia-222
rmdev create -p 01:00.0 -t nvidia-999
rmdev create -p 01:00.0 -t ../../remove
rmdev create -p 01:00.0 -t nvidia-230
rmdev create -p mtty -t mtty-2
rmdev create -p 01:00.0 -t nvidia-222 --timeout soon
rmdev create -p 01:00.0 -t nvidia-222 --defined
rmdev remove
rmdev remove nope
rmdev remove --parent 01:00.0 $U1
rmdev types 0000:09:00.0
rmdev types a b
rmdev list extra
rmdev --json -q list
rmdev define -t nvidia-222
rmdev define -p 01:00.0
rmdev define -p scripts.d -t nvidia-222
rmdev define -p 01:00.0 -t nvidia-999
rmdev define -p 01:00.0 -t nvidia-222 --auto --manual
rmdev modify $U1
rmdev modify $U1 --auto
rmdev undefine
rmdev start
rmdev start $U1
rmdev create -p 3d:00.4 -t L40S
rmdev create -p 3d:00.4 -t 9999
rmdev create -p 3d:00.4 -t 1155 -u $U1
rmdev create -p 01:00.0 -t nvidia-222 --count 0
rmdev create -p 01:00.0 -t nvidia-222 --count 2 -u $U1
rmdev create -p 01:00.0 -t nvidia-222 -u $U1 -u $U1
rmdev define -p 01:00.0 -t nvidia-222 -u $U1 -u $U2
rmdev remove $U1 nope
mdev_pristine
